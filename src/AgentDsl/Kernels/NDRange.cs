namespace AgentDsl.Kernels;

/// <summary>A 1-, 2- or 3-dimensional size (global or work-group). Unused dimensions are 1.</summary>
public readonly record struct NDRange
{
    /// <summary>A 1-D range.</summary>
    public NDRange(int x)
        : this(1, x, 1, 1)
    {
    }

    /// <summary>A 2-D range.</summary>
    public NDRange(int x, int y)
        : this(2, x, y, 1)
    {
    }

    /// <summary>A 3-D range.</summary>
    public NDRange(int x, int y, int z)
        : this(3, x, y, z)
    {
    }

    private NDRange(int dimensions, int x, int y, int z)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(y);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(z);
        Dimensions = dimensions;
        X = x;
        Y = y;
        Z = z;
    }

    /// <summary>1, 2 or 3.</summary>
    public int Dimensions { get; }

    /// <summary>Size in dimension 0.</summary>
    public int X { get; }

    /// <summary>Size in dimension 1 (1 for a 1-D range).</summary>
    public int Y { get; }

    /// <summary>Size in dimension 2 (1 below 3-D).</summary>
    public int Z { get; }

    /// <summary>X × Y × Z.</summary>
    public long Total => (long)X * Y * Z;

    /// <summary>The size in dimension <paramref name="d"/>; 1 past <see cref="Dimensions"/>.</summary>
    public int this[int d] => d switch { 0 => X, 1 => Y, 2 => Z, _ => 1 };

    /// <summary>A 1-D range.</summary>
    public static implicit operator NDRange(int x) => new(x);

    /// <summary>A 2-D range.</summary>
    public static implicit operator NDRange((int X, int Y) size) => new(size.X, size.Y);

    /// <summary>A 3-D range.</summary>
    public static implicit operator NDRange((int X, int Y, int Z) size) => new(size.X, size.Y, size.Z);

    /// <inheritdoc/>
    public override string ToString() => Dimensions switch { 1 => $"{X}", 2 => $"{X}×{Y}", _ => $"{X}×{Y}×{Z}" };
}
