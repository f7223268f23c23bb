using System.Diagnostics;
using System.Globalization;
using AgentDsl.Onnx;
using AgentDsl.Retrieval;

namespace AgentDsl.Benchmarks;

/// <summary>
/// One measured pass over the whole reference-pack corpus: load and chunk it, embed every chunk with MiniLM in
/// batches of 32 into a fresh cache directory, then read the vectors back from the cache.
/// </summary>
internal static class RetrievalCorpusRun
{
    public static void Run()
    {
        var watch = Stopwatch.StartNew();
        var corpus = ReferencePackCorpus.Load();
        var load = watch.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{corpus.Directory} (pack {corpus.Version}): {corpus.Files.Count} files, {corpus.MemberCount} members with a summary, {corpus.Chunks.Count} chunks ({corpus.Chunks.Count(c => c.Part > 0)} extra parts of split members); loaded and chunked in {load.TotalSeconds:F2} s"));
        string cacheDirectory = Path.Combine(Path.GetTempPath(), "agentdsl-corpus-run-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var embedder = new MiniLmEmbedder();
            var cache = new EmbeddingCache(cacheDirectory);
            string[] texts = [.. corpus.Chunks.Select(c => c.EmbeddingText)];
            var embedded = cache.GetOrEmbed(texts, RetrievalIndex.DefaultModelId, embedder.Dimensions, embedder.Embed, batchSize: 32);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"embedded {texts.Length} chunks in batches of 32: {embedded.Elapsed.TotalSeconds:F1} s ({texts.Length / embedded.Elapsed.TotalSeconds:F0} texts/s, {embedded.Elapsed.TotalMilliseconds / texts.Length:F2} ms per text), {embedded.Outcome}"));
            var again = cache.GetOrEmbed(texts, RetrievalIndex.DefaultModelId, embedder.Dimensions, embedder.Embed, batchSize: 32);
            long bytes = new FileInfo(cache.FileFor(texts, RetrievalIndex.DefaultModelId, embedder.Dimensions)!).Length;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"second run: {again.Outcome}, {again.Elapsed.TotalSeconds:F2} s (cache file {bytes / 1e6:F1} MB)"));
        }
        finally
        {
            Directory.Delete(cacheDirectory, recursive: true);
        }
    }
}
