using System.Security.Cryptography;
using System.Text;
using AgentDsl.Hosting;
using Microsoft.Extensions.Options;

namespace AgentDsl.Http;

/// <summary>
/// The configured API keys, kept as SHA-256 hashes. A presented key is hashed and compared with every stored hash by
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, all of them every time: neither its length nor which key
/// matches shows in the timing.
/// </summary>
internal sealed class ApiKeyStore(IOptions<AgentDslHttpOptions> options)
{
    private readonly byte[][] _hashes = [.. options.Value.ApiKeys.Where(k => !string.IsNullOrEmpty(k)).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k)))];

    public int Count => _hashes.Length;

    /// <summary>The index of the matching key, or -1.</summary>
    public int Match(string presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        int found = -1;
        for (int i = 0; i < _hashes.Length; i++)
        {
            bool equal = CryptographicOperations.FixedTimeEquals(hash, _hashes[i]);
            found = equal ? i : found;
        }

        return found;
    }
}
