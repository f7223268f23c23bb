using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentDsl.Retrieval;

/// <summary>
/// Embeds lists of texts in batches and keeps the vectors on disk, keyed by a SHA-256 of the model id, the
/// dimensions and every text, so a second run with the same texts and model reads them instead of embedding.
/// </summary>
/// <remarks>
/// <para>
/// One file per key, <c>{first 32 hex digits of the key}.vec</c>: an 88-byte header (magic <c>ADSLVEC1</c>, format
/// version, count, dimensions, the full key, a SHA-256 of the payload) and the vectors as little-endian floats.
/// A file is used only when its size, header, key and checksum all match and every value is finite; anything
/// else is reported as <see cref="EmbeddingCacheOutcome.Invalid"/>, embedded again and rewritten, so a damaged or
/// foreign file never yields wrong vectors. Files are written to a temporary name and moved into place.
/// </para>
/// <para>
/// Texts are embedded in batches of similar length (sorted by length, then by position), which pads less; the
/// vectors are returned in input order.
/// </para>
/// </remarks>
public sealed partial class EmbeddingCache
{
    private const int HeaderBytes = 8 + 4 + 4 + 4 + 32 + 32 + 4;
    private const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "ADSLVEC1"u8;

    private readonly ILogger _logger;

    /// <summary>A cache in <paramref name="directory"/>.</summary>
    /// <param name="directory">Where the files are kept; null for <see cref="DefaultDirectory"/>, empty to disable the cache.</param>
    /// <param name="logger">Logs hits, misses and invalid files.</param>
    public EmbeddingCache(string? directory = null, ILogger? logger = null)
    {
        Directory = directory ?? DefaultDirectory;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary><c>{LocalApplicationData}/AgentDsl/embedding-cache</c> (the temporary directory when there is no such folder).</summary>
    public static string DefaultDirectory
    {
        get
        {
            string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return Path.Combine(string.IsNullOrEmpty(root) ? Path.GetTempPath() : root, "AgentDsl", "embedding-cache");
        }
    }

    /// <summary>The cache directory; empty when the cache is disabled.</summary>
    public string Directory { get; }

    /// <summary>The cache file for these texts and model; null when the cache is disabled.</summary>
    public string? FileFor(IReadOnlyList<string> texts, string modelId, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(modelId);
        return Directory.Length == 0 ? null : Path.Combine(Directory, Convert.ToHexStringLower(Key(texts, modelId, dimensions))[..32] + ".vec");
    }

    /// <summary>The vectors of <paramref name="texts"/>: from the cache when a valid file exists, otherwise embedded with <paramref name="embed"/> and stored.</summary>
    /// <param name="texts">The texts, in order.</param>
    /// <param name="modelId">Identifies the model and its version: vectors of another model never match.</param>
    /// <param name="dimensions">The length of each vector.</param>
    /// <param name="embed">Embeds one batch; must return one vector of <paramref name="dimensions"/> floats per text, in order.</param>
    /// <param name="batchSize">Texts per call to <paramref name="embed"/>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <exception cref="InvalidOperationException"><paramref name="embed"/> returned the wrong number or length of vectors, or a non-finite value.</exception>
    public EmbeddedTexts GetOrEmbed(IReadOnlyList<string> texts, string modelId, int dimensions, Func<IReadOnlyList<string>, float[][]> embed, int batchSize = 32, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(embed);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if ((long)texts.Count * dimensions > Array.MaxLength)
        {
            throw new ArgumentException($"{texts.Count} texts of {dimensions} dimensions do not fit in one array.", nameof(texts));
        }

        var watch = Stopwatch.StartNew();
        byte[] key = Key(texts, modelId, dimensions);
        string? file = FileFor(texts, modelId, dimensions);
        var outcome = EmbeddingCacheOutcome.Disabled;
        if (file is not null)
        {
            outcome = EmbeddingCacheOutcome.Miss;
            if (File.Exists(file))
            {
                if (TryRead(file, key, texts.Count, dimensions, out var cached, out string? problem))
                {
                    LogHit(file, texts.Count);
                    return new EmbeddedTexts(cached, texts.Count, dimensions, EmbeddingCacheOutcome.Hit, watch.Elapsed);
                }

                outcome = EmbeddingCacheOutcome.Invalid;
                LogInvalid(file, problem!);
            }
            else
            {
                LogMiss(file, texts.Count);
            }
        }

        float[] vectors = Embed(texts, dimensions, embed, batchSize, cancellationToken);
        if (file is not null)
        {
            Write(file, key, texts.Count, dimensions, vectors);
        }

        return new EmbeddedTexts(vectors, texts.Count, dimensions, outcome, watch.Elapsed);
    }

    private static float[] Embed(IReadOnlyList<string> texts, int dimensions, Func<IReadOnlyList<string>, float[][]> embed, int batchSize, CancellationToken cancellationToken)
    {
        float[] vectors = GC.AllocateUninitializedArray<float>(texts.Count * dimensions, pinned: true);
        int[] order = [.. Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length).ThenBy(i => i)];
        var batch = new List<string>(batchSize);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, order.Length - start);
            batch.Clear();
            for (int j = 0; j < count; j++)
            {
                batch.Add(texts[order[start + j]]);
            }

            float[][] result = embed(batch);
            if (result is null || result.Length != count)
            {
                throw new InvalidOperationException($"The embedder returned {result?.Length ?? 0} vectors for a batch of {count} texts.");
            }

            for (int j = 0; j < count; j++)
            {
                var vector = result[j];
                if (vector is null || vector.Length != dimensions)
                {
                    throw new InvalidOperationException($"The embedder returned a vector of length {vector?.Length ?? 0} for text {order[start + j]}; expected {dimensions}.");
                }

                if (!AllFinite(vector))
                {
                    throw new InvalidOperationException($"The embedder returned a non-finite value for text {order[start + j]}.");
                }

                vector.CopyTo(vectors, order[start + j] * dimensions);
            }
        }

        return vectors;
    }

    private static byte[] Key(IReadOnlyList<string> texts, string modelId, int dimensions)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendText(hash, modelId);
        AppendInt(hash, dimensions);
        AppendInt(hash, texts.Count);
        foreach (string text in texts)
        {
            AppendText(hash, text ?? throw new ArgumentException("A text is null.", nameof(texts)));
        }

        return hash.GetHashAndReset();
    }

    private static void AppendInt(IncrementalHash hash, int value)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(number, value);
        hash.AppendData(number);
    }

    private static void AppendText(IncrementalHash hash, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        AppendInt(hash, bytes.Length);
        hash.AppendData(bytes);
    }

    private static bool TryRead(string file, byte[] key, int count, int dimensions, out float[] vectors, out string? problem)
    {
        vectors = [];
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (IOException ex)
        {
            problem = ex.Message;
            return false;
        }
        catch (UnauthorizedAccessException ex)
        {
            problem = ex.Message;
            return false;
        }

        long payload = (long)count * dimensions * sizeof(float);
        var span = bytes.AsSpan();
        if (bytes.Length != HeaderBytes + payload)
        {
            problem = $"size {bytes.Length} B, expected {HeaderBytes + payload} B";
            return false;
        }

        if (!span[..8].SequenceEqual(Magic)
            || BinaryPrimitives.ReadInt32LittleEndian(span[8..]) != FormatVersion
            || BinaryPrimitives.ReadInt32LittleEndian(span[12..]) != count
            || BinaryPrimitives.ReadInt32LittleEndian(span[16..]) != dimensions
            || !span.Slice(20, 32).SequenceEqual(key))
        {
            problem = "the header does not match (format, count, dimensions or key)";
            return false;
        }

        var data = span[HeaderBytes..];
        if (!SHA256.HashData(data).AsSpan().SequenceEqual(span.Slice(52, 32)))
        {
            problem = "the checksum of the vectors does not match";
            return false;
        }

        vectors = GC.AllocateUninitializedArray<float>(count * dimensions, pinned: true);
        for (int i = 0; i < vectors.Length; i++)
        {
            vectors[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * sizeof(float))..]);
        }

        if (!AllFinite(vectors))
        {
            problem = "a value is not finite";
            vectors = [];
            return false;
        }

        problem = null;
        return true;
    }

    private void Write(string file, byte[] key, int count, int dimensions, float[] vectors)
    {
        var bytes = new byte[HeaderBytes + ((long)vectors.Length * sizeof(float))];
        var span = bytes.AsSpan();
        var data = span[HeaderBytes..];
        for (int i = 0; i < vectors.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data[(i * sizeof(float))..], vectors[i]);
        }

        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], count);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], dimensions);
        key.CopyTo(span[20..]);
        SHA256.HashData(data, span.Slice(52, 32));
        string temp = file + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, file, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(ex, file);
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: the next run embeds again.
            }
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Embedding cache hit: {Count} vectors read from {CacheFile}")]
    private partial void LogHit(string cacheFile, int count);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Embedding cache miss: embedding {Count} texts for {CacheFile}")]
    private partial void LogMiss(string cacheFile, int count);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Embedding cache file {CacheFile} is invalid ({Problem}); embedding again")]
    private partial void LogInvalid(string cacheFile, string problem);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Could not write the embedding cache file {CacheFile}")]
    private partial void LogWriteFailed(Exception exception, string cacheFile);
}
