using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AgentDsl.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentDsl.Generators.Flow
{
    /// <summary>The operator catalogue: which methods are operators (and nested flows), what the lowering needs of their signatures and attributes, and their batch forms.</summary>
    internal sealed partial class FlowLowerer
    {
        /// <summary>The graph's [Operator] methods (original definitions) and what the lowering needs of each.</summary>
        private readonly Dictionary<IMethodSymbol, OperatorInfo> _operators;

        /// <summary>The bool results of operators with a TrueProbability hint, by node id: the guards on them carry it.</summary>
        private readonly Dictionary<int, double> _trueProbability = new Dictionary<int, double>();

        /// <summary>The [Operator] methods of <paramref name="type"/>.</summary>
        private static Dictionary<IMethodSymbol, OperatorInfo> CollectOperators(INamedTypeSymbol type)
        {
            var operators = new Dictionary<IMethodSymbol, OperatorInfo>(SymbolEqualityComparer.Default);
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            {
                var attr = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.OperatorAttribute);
                if (attr != null)
                {
                    operators[method] = OperatorInfo.From(method, attr);
                }
            }

            return operators;
        }

        /// <summary>What the lowering needs to know of an [Operator] method.</summary>
        private sealed class OperatorInfo
        {
            public string Name = string.Empty;
            public OperatorKind Kind;
            public ReturnShape Shape;
            public string ResultDisplay = "void";
            public string? ResultFq;
            public CostSpec Cost = null!;
            public double? TrueProbability;

            /// <summary>A nested graph's flow as an operator: kind Agent, no cost hints of its own.</summary>
            public static OperatorInfo ForNestedFlow(IMethodSymbol flow)
            {
                var info = new OperatorInfo
                {
                    Name = flow.ContainingType.Name,
                    Kind = OperatorKind.Agent,
                    Cost = NoCost,
                };
                var (shape, result) = Classify(flow.ReturnType);
                info.Shape = shape;
                if (result != null)
                {
                    info.ResultDisplay = result.ToDisplayString(DisplayFormat);
                    info.ResultFq = result.ToDisplayString(FqFormat);
                }

                return info;
            }

            public static OperatorInfo From(IMethodSymbol method, AttributeData attr)
            {
                var info = new OperatorInfo { Name = method.Name };
                if (attr.ConstructorArguments.Length == 1 && attr.ConstructorArguments[0].Value is int kind)
                {
                    info.Kind = (OperatorKind)kind;
                }

                double flops = 0, bytes = 0, memory = 0, parameters = 0;
                DeviceKinds allowed = DeviceKinds.Any, preferred = DeviceKinds.None;
                var precision = Precision.Unspecified;
                int layers = 0, hidden = 0, heads = 0, kvHeads = 0, prompt = 0, output = 0;
                bool batchable = false, retry = false;
                string? model = null;
                foreach (var named in attr.NamedArguments)
                {
                    object? v = named.Value.Value;
                    switch (named.Key)
                    {
                        case "Name" when v is string s && s.Length > 0: info.Name = s; break;
                        case "Flops" when v is double d: flops = d; break;
                        case "BytesMoved" when v is double d: bytes = d; break;
                        case "MemoryFootprintBytes" when v is double d: memory = d; break;
                        case "AllowedDevices" when v is int i: allowed = (DeviceKinds)i; break;
                        case "PreferredDevices" when v is int i: preferred = (DeviceKinds)i; break;
                        case "Batchable" when v is bool b: batchable = b; break;
                        case "SafeToRetry" when v is bool b: retry = b; break;
                        case "Model" when v is string s: model = s; break;
                        case "ModelParameters" when v is double d: parameters = d; break;
                        case "Layers" when v is int i: layers = i; break;
                        case "HiddenSize" when v is int i: hidden = i; break;
                        case "Heads" when v is int i: heads = i; break;
                        case "KvHeads" when v is int i: kvHeads = i; break;
                        case "Precision" when v is int i: precision = (Precision)i; break;
                        case "PromptTokens" when v is int i: prompt = i; break;
                        case "OutputTokens" when v is int i: output = i; break;
                        case "TrueProbability" when v is double d && d >= 0 && d <= 1: info.TrueProbability = d; break;
                    }
                }

                bool hasModel = model != null || parameters > 0 || layers > 0 || hidden > 0 || heads > 0;
                info.Cost = new CostSpec(
                    flops,
                    bytes,
                    memory,
                    allowed,
                    preferred,
                    batchable,
                    retry,
                    hasModel ? new ModelSpec(model, parameters, layers, hidden, heads, kvHeads == 0 ? heads : kvHeads, precision, prompt, output) : null);

                var (shape, result) = Classify(method.ReturnType);
                info.Shape = shape;
                if (result != null)
                {
                    info.ResultDisplay = result.ToDisplayString(DisplayFormat);
                    info.ResultFq = result.ToDisplayString(FqFormat);
                }

                return info;
            }
        }

        /// <summary>Cost hints of the nodes the lowering adds itself (merges, case tests): none.</summary>
        private static readonly CostSpec NoCost = new CostSpec(0, 0, 0, DeviceKinds.Any, DeviceKinds.None, false, false, null);

        /// <summary>
        /// For each batchable operator with one input that the flow calls: an overload of the same name (not itself an
        /// operator) taking <c>IReadOnlyList&lt;TInput&gt;</c> (and optionally a CancellationToken) and returning
        /// <c>TResult[]</c> or <c>IReadOnlyList&lt;TResult&gt;</c>, directly or in a Task / ValueTask.
        /// </summary>
        private static List<BatchFormSpec> FindBatchForms(INamedTypeSymbol type, Dictionary<IMethodSymbol, OperatorInfo> operators, List<NodeSpec> nodes, CancellationToken ct)
        {
            var forms = new List<BatchFormSpec>();
            foreach (var pair in operators.OrderBy(p => p.Value.Name, StringComparer.Ordinal))
            {
                ct.ThrowIfCancellationRequested();
                var op = pair.Key;
                var info = pair.Value;
                if (!info.Cost.Batchable || !nodes.Any(n => n.MethodName == op.Name && !n.IsMerge))
                {
                    continue;
                }

                foreach (var candidate in type.GetMembers(op.Name).OfType<IMethodSymbol>())
                {
                    if (!operators.ContainsKey(candidate) && BatchFormMatcher.LooksLikeBatchForm(op, candidate) && BatchFormMatcher.Mismatch(op, candidate) == null)
                    {
                        var input = op.Parameters.First(p => !IsCancellationToken(p.Type)).Type;
                        var result = Classify(op.ReturnType).Result!;
                        forms.Add(new BatchFormSpec(info.Name, candidate.Name, candidate.IsStatic, input.ToDisplayString(FqFormat), result.ToDisplayString(FqFormat), Classify(candidate.ReturnType).Shape, candidate.Parameters.Length == 2));
                        break;
                    }
                }
            }

            return forms;
        }

        /// <summary>A [Flow] of another partial, non-generic [AgentGraph] class.</summary>
        private bool IsNestedFlow(IMethodSymbol method) =>
            HasAttribute(method, KnownTypeNames.FlowAttribute)
            && !SymbolEqualityComparer.Default.Equals(method.ContainingType, _graphType)
            && method.ContainingType is { } type
            && HasAttribute(type, KnownTypeNames.AgentGraphAttribute)
            && CanGenerate(type, _ct);

        /// <summary>A field or property of this graph read on 'this' (or implicitly).</summary>
        private static bool IsMemberOfThis(IOperation? instance) => instance switch
        {
            IFieldReferenceOperation f => f.Instance is null or IInstanceReferenceOperation,
            IPropertyReferenceOperation p => p.Instance is null or IInstanceReferenceOperation,
            IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } } => true,
            _ => false,
        };

        internal static bool HasAttribute(ISymbol symbol, string metadataName) =>
            symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

        internal static bool IsCancellationToken(ITypeSymbol type) =>
            type.ToDisplayString() == "System.Threading.CancellationToken";

        internal static (ReturnShape Shape, ITypeSymbol? Result) Classify(ITypeSymbol returnType)
        {
            if (returnType.SpecialType == SpecialType.System_Void)
            {
                return (ReturnShape.Void, null);
            }

            if (returnType is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
            {
                switch (named.MetadataName)
                {
                    case "Task":
                        return (ReturnShape.Task, null);
                    case "ValueTask":
                        return (ReturnShape.ValueTask, null);
                    case "Task`1":
                        return (ReturnShape.TaskOfT, named.TypeArguments[0]);
                    case "ValueTask`1":
                        return (ReturnShape.ValueTaskOfT, named.TypeArguments[0]);
                }
            }

            return (ReturnShape.Value, returnType);
        }
    }
}
