using System.Security.Cryptography;
using AgentDsl.LlamaCpp;
using Xunit;

namespace AgentDsl.LlamaCpp.Tests;

public sealed class SeededLlamaModelTests
{
    static byte[] Bytes(LlamaShape shape, int seed)
    {
        using var stream = new MemoryStream();
        SeededLlamaModel.Write(stream, shape, seed);
        return stream.ToArray();
    }

    [Fact]
    public void Same_seed_gives_the_same_bytes_and_another_seed_other_bytes()
    {
        byte[] a = Bytes(LlamaShape.Tiny, 7);
        byte[] again = Bytes(LlamaShape.Tiny, 7);
        byte[] other = Bytes(LlamaShape.Tiny, 8);

        Assert.Equal(SHA256.HashData(a), SHA256.HashData(again));
        Assert.Equal(a.Length, other.Length);
        Assert.NotEqual(SHA256.HashData(a), SHA256.HashData(other));
    }

    [Fact]
    public void The_bytes_are_pinned()
    {
        // The same shape and seed give the same file on every machine and run (SplitMix64 and IEEE
        // half conversion): a change of this hash is a change of every seeded model.
        Assert.Equal("79270ceaf3621c42967c964cf76068adbf765a8dbd7730dc72f01e027cbb2f17", Convert.ToHexStringLower(SHA256.HashData(Bytes(LlamaShape.Tiny, 1))));
    }

    [Fact]
    public void The_file_is_GGUF_v3_with_F16_weights_of_the_shape()
    {
        var shape = LlamaShape.Tiny;
        byte[] file = Bytes(shape, 1);

        Assert.Equal("GGUF"u8.ToArray(), file[..4]);
        Assert.Equal(3u, BitConverter.ToUInt32(file, 4));
        Assert.Equal(3u + 9u * (uint)shape.Layers, BitConverter.ToUInt64(file, 8)); // tensors
        Assert.Equal(0, file.Length % 32);

        // F16 matrices, F32 norms: the data section is 2 bytes per matrix weight and 4 per norm weight.
        long norms = (2L * shape.Layers + 1) * shape.Hidden;
        long dataBytes = 2 * (shape.ParameterCount - norms) + 4 * norms;
        Assert.InRange(file.Length - dataBytes, 4_000, 16_000); // header, vocabulary, tensor infos, padding
    }

    [Fact]
    public void An_invalid_shape_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Bytes(LlamaShape.Tiny with { KvHeads = 3 }, 1));
        Assert.Contains("KvHeads", e.Message);
    }
}
