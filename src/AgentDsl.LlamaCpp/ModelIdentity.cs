using System.Security.Cryptography;

namespace AgentDsl.LlamaCpp;

/// <summary>
/// The identity of a model: the SHA-256 of its GGUF file. A KV state is only meaningful in a context
/// of the model that produced it; <see cref="KvStateMessage"/> carries this identity so that a state
/// from another model, even one of the same shape, is rejected instead of loading silently.
/// </summary>
public readonly record struct ModelIdentity
{
    /// <summary>Length of the identity in bytes (SHA-256).</summary>
    public const int Length = 32;

    readonly byte[]? _hash;

    /// <summary>Creates an identity from a 32-byte SHA-256 hash.</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes long.</exception>
    public ModelIdentity(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != Length)
            throw new ArgumentException($"A model identity is a {Length}-byte SHA-256 hash, not {sha256.Length} bytes.", nameof(sha256));
        _hash = sha256.ToArray();
    }

    /// <summary>The hash bytes (32 zero bytes for <c>default</c>).</summary>
    public ReadOnlySpan<byte> Hash => _hash ?? new byte[Length];

    /// <summary>Hashes the GGUF file at <paramref name="path"/>.</summary>
    public static ModelIdentity FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return new ModelIdentity(SHA256.HashData(stream));
    }

    /// <inheritdoc/>
    public bool Equals(ModelIdentity other) => Hash.SequenceEqual(other.Hash);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(Hash[..4]);

    /// <summary>The hash as lower-case hexadecimal, prefixed <c>sha256:</c>.</summary>
    public override string ToString() => "sha256:" + Convert.ToHexStringLower(Hash);
}
