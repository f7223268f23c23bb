using AgentDsl.Ir;
using Xunit;

namespace AgentDsl.Tests;

/// <summary>Every member of the enums the MLIR names has a name there: a new member without one fails here.</summary>
public class MlirNamesTests
{
    public static TheoryData<OperatorKind> Kinds => new(Enum.GetValues<OperatorKind>());

    public static TheoryData<NodePhase> Phases => new(Enum.GetValues<NodePhase>().Where(p => p != NodePhase.None));

    public static TheoryData<Precision> Precisions => new(Enum.GetValues<Precision>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryOperatorKind_HasAnOperationAndAKindName(OperatorKind kind)
    {
        Assert.Matches("^[a-z]+\\.[a-z_]+$", MlirText.OpName(kind));
        Assert.Equal(kind.ToString().ToLowerInvariant(), MlirText.KindName(kind));
    }

    [Theory]
    [MemberData(nameof(Phases))]
    public void EveryDecomposedPhase_HasAnOperation(NodePhase phase) =>
        Assert.Matches("^[a-z]+\\.[a-z_]+$", MlirText.PhaseOpName(phase));

    [Theory]
    [MemberData(nameof(Precisions))]
    public void EveryPrecision_HasAName(Precision precision) =>
        Assert.Equal(precision.ToString().ToLowerInvariant(), MlirText.PrecisionName(precision));

    [Fact]
    public void Operations_AreDistinct()
    {
        var ops = Enum.GetValues<OperatorKind>().Select(MlirText.OpName)
            .Concat(Enum.GetValues<NodePhase>().Select(MlirText.PhaseOpName).OfType<string>())
            .Append("agent.merge").ToList();
        Assert.Equal(ops.Count, ops.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void AValueOutsideTheEnum_IsRejected_NotNamedSilently()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MlirText.OpName((OperatorKind)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => MlirText.PhaseOpName((NodePhase)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => MlirText.KindName((OperatorKind)99));
    }
}
