using AgentDsl.Onnx;
using BenchmarkDotNet.Attributes;

namespace AgentDsl.Benchmarks;

/// <summary>
/// MiniLM-L6 on ONNX Runtime (CPU): 32 texts embedded one call each against one batched call, in the
/// same run. The batch form is what micro-batching uses; its inputs are padded to the longest text.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class EmbeddingBenchmarks
{
    /// <summary>32 documentation-style sentences of 3 to 30 words (hand-written in the reference pack's style).</summary>
    internal static readonly string[] Texts =
    [
        "Returns the number of elements contained in the list.",
        "Reads all bytes from a file and closes it.",
        "Converts the specified string to uppercase using the casing rules of the invariant culture.",
        "Suspends the current thread for the specified number of milliseconds.",
        "Gets or sets the capacity of the buffer.",
        "Represents a strongly typed list of objects that can be accessed by index. Provides methods to search, sort, and manipulate lists.",
        "Determines whether the dictionary contains the specified key.",
        "Removes all elements from the set.",
        "Creates a task that completes after a specified time interval.",
        "Computes the square root of a double-precision floating-point number.",
        "Opens a network socket and connects it to a remote host on the given port.",
        "Writes the specified string value, followed by the current line terminator, to the standard output stream.",
        "Gets the current date and time on this computer, expressed as the local time.",
        "Encodes all the characters in the specified string into a sequence of bytes.",
        "Signals a cancellation request to every token created from this source.",
        "Copies a range of elements from an array starting at the specified source index and pastes them to another array starting at the specified destination index.",
        "Throws an exception if the argument is null.",
        "Sorts the elements in the entire span using the default comparer.",
        "Parses a string that contains a number in the invariant culture.",
        "Waits for all of the provided tasks to complete execution.",
        "Initializes a new instance of the class that is empty and has the default initial capacity.",
        "Returns a hash code for this instance.",
        "Compresses data with the Brotli algorithm at the fastest compression level.",
        "Serializes the value to a JSON string, using the source-generated metadata when it is available.",
        "Adds an object to the end of the queue.",
        "Gets a value indicating whether the current process is running with elevated privileges, which can be used to decide whether an operation that needs administrator rights may be attempted.",
        "Computes the SHA-256 hash of the data.",
        "Releases all resources used by the stream.",
        "Searches for the first occurrence of a value and returns its zero-based index.",
        "Formats the value using the specified format string and culture-specific formatting information.",
        "Acquires an exclusive lock on the specified object.",
        "Normalizes the vector to unit length.",
    ];

    MiniLmEmbedder _embedder = null!;

    [GlobalSetup]
    public void Setup() => _embedder = new MiniLmEmbedder();

    [GlobalCleanup]
    public void Cleanup() => _embedder.Dispose();

    [Benchmark(Baseline = true, Description = "32 texts, one call each")]
    public float OneByOne()
    {
        float sum = 0;
        foreach (var text in Texts) sum += _embedder.Embed(text)[0];
        return sum;
    }

    [Benchmark(Description = "32 texts, one batched call")]
    public float Batched()
    {
        float sum = 0;
        foreach (var v in _embedder.Embed(Texts)) sum += v[0];
        return sum;
    }
}
