using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using AgentDsl.Generators;
using AgentDsl.Generators.Diagnostics;
using AgentDsl.Generators.Flow;
using AgentDsl.Generators.Models;
using AgentDsl.Ir.Topology;
using AgentDsl.Planning.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AgentDsl.Analyzers
{
    /// <summary>
    /// Checks graphs and kernels against the deployment's hardware profile, an AdditionalFile named
    /// <c>agentdsl.hardware.json</c> (ADSL0200–0205). Without a profile it reports nothing. It lowers each
    /// flow with the generator's own code and prices nodes with the planner's own arithmetic (CostMath).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PlacementAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>The profile file name the analyzer looks for among AdditionalFiles.</summary>
        public const string ProfileFileName = "agentdsl.hardware.json";

        private static readonly Lazy<Dictionary<string, ProfileDevice>> Catalog = new Lazy<Dictionary<string, ProfileDevice>>(LoadCatalog);

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.OperatorFitsNoDevice,
            DiagnosticDescriptors.SlaBelowCriticalPath,
            DiagnosticDescriptors.BelowBreakEven,
            DiagnosticDescriptors.DeviceKindMissing,
            DiagnosticDescriptors.KernelFeatureMissing,
            DiagnosticDescriptors.MalformedProfile);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var graphAttribute = start.Compilation.GetTypeByMetadataName(KnownTypeNames.AgentGraphAttribute);
                if (graphAttribute is null)
                {
                    return;
                }

                var file = start.Options.AdditionalFiles.FirstOrDefault(f => string.Equals(Path.GetFileName(f.Path), ProfileFileName, StringComparison.OrdinalIgnoreCase));
                if (file is null)
                {
                    return; // No profile: placement diagnostics stay silent.
                }

                string text = file.GetText(start.CancellationToken)?.ToString() ?? string.Empty;
                List<ProfileDevice> profile;
                try
                {
                    profile = ProfileReader.ReadProfile(text, Catalog.Value).Devices;
                }
                catch (ProfileException ex)
                {
                    start.RegisterAdditionalFileAction(c =>
                    {
                        if (c.AdditionalFile.Path == file.Path)
                        {
                            int length = Math.Min(ex.Length, Math.Max(0, text.Length - ex.Offset));
                            var span = new TextSpan(ex.Offset, length);
                            var location = Location.Create(file.Path, span, SourceText.From(text).Lines.GetLinePositionSpan(span));
                            c.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MalformedProfile, location, ex.Message));
                        }
                    });
                    return;
                }

                // The host CPU is always there: without a CPU in the profile, the catalog's server socket stands for it.
                var host = profile.FirstOrDefault(d => KindOf(d) == DeviceKinds.Cpu) ?? Catalog.Value["EPYC-9654"];
                var devices = profile.Any(d => KindOf(d) == DeviceKinds.Cpu) ? profile : profile.Concat(new[] { host }).ToList();
                var kernelAttribute = start.Compilation.GetTypeByMetadataName(KnownTypeNames.KernelAttribute);
                start.RegisterSymbolAction(c => AnalyzeGraph(c, graphAttribute, devices, host), SymbolKind.NamedType);
                if (kernelAttribute is not null)
                {
                    start.RegisterSyntaxNodeAction(c => AnalyzeKernel(c, kernelAttribute, profile), Microsoft.CodeAnalysis.CSharp.SyntaxKind.MethodDeclaration);
                }
            });
        }

        private static void AnalyzeGraph(SymbolAnalysisContext context, INamedTypeSymbol graphAttribute, List<ProfileDevice> devices, ProfileDevice host)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            var attribute = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, graphAttribute));
            if (attribute is null)
            {
                return;
            }

            var spec = GraphLowerings.For(context.Compilation).Lower(type, attribute, context.CancellationToken).Spec;
            if (spec is null || !spec.Errors.IsEmpty)
            {
                return; // ADSL0300-series from the declaration analyzer; a flow that did not lower has its errors from FlowAnalyzer.
            }

            var reported = new HashSet<string>();
            var seconds = new double[spec.Nodes.Count];
            bool complete = true;
            foreach (var node in spec.Nodes)
            {
                var location = OperatorLocation(type, node.MethodName) ?? type.Locations.FirstOrDefault();
                var allowed = devices.Where(d => (node.Cost.AllowedDevices & KindOf(d)) != 0).ToList();
                if (allowed.Count == 0)
                {
                    if (reported.Add(node.MethodName))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DeviceKindMissing, location, node.Name,
                            node.Cost.AllowedDevices.ToString(), string.Join(", ", devices.Select(d => KindOf(d).ToString()).Distinct())));
                    }

                    complete = false;
                    continue;
                }

                var work = Work(node);
                var fitting = allowed.Where(d => work.Footprint <= d.MemoryBytes).ToList();
                if (fitting.Count == 0)
                {
                    var largest = allowed.OrderByDescending(d => d.MemoryBytes).First();
                    if (reported.Add(node.MethodName))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.OperatorFitsNoDevice, location, node.Name,
                            Gb(work.Footprint), largest.Name, Gb(largest.MemoryBytes), Gb(work.Footprint - largest.MemoryBytes)));
                    }

                    complete = false;
                    continue;
                }

                seconds[node.Id] = fitting.Min(d => CostMath.Seconds(work.Flops, work.Bytes, Rates(d, work.Precision)));
                CheckBreakEven(context, node, work, allowed, host, location, reported);
            }

            if (!complete || spec.SlaMs <= 0 || spec.Nodes.Count == 0)
            {
                return;
            }

            // The critical path's lower bound: each node on its fastest fitting device, transfers free; with branches,
            // the slowest arm (the latency of the worst request). The dependency rule and the path are GraphDefinition's.
            var predecessors = spec.Nodes.Select(node => GraphTopology.Predecessors(
                node.Args.Where(a => a.Source == ArgSource.Node).Select(a => a.Index),
                node.FanOut is { Source: ArgSource.Node } fanOut ? fanOut.Index : -1,
                node.Guards.Select(g => g.Node))).ToArray();
            var (boundSeconds, criticalPath) = GraphTopology.CriticalPath(predecessors, id => seconds[id]);
            double boundMs = boundSeconds * 1000;
            if (boundMs > spec.SlaMs)
            {
                var path = criticalPath.Select(id => spec.Nodes[id].Name);
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SlaBelowCriticalPath, type.Locations.FirstOrDefault(), spec.GraphName,
                    boundMs.ToString("0.##", CultureInfo.InvariantCulture), spec.SlaMs.ToString("0.##", CultureInfo.InvariantCulture), string.Join(" → ", path)));
            }
        }

        private static void CheckBreakEven(SymbolAnalysisContext context, NodeSpec node, NodeWork work, List<ProfileDevice> allowed, ProfileDevice host, Location? location, HashSet<string> reported)
        {
            double size = CostMath.InputSize(work.Flops, work.Bytes);
            if ((node.Cost.AllowedDevices & DeviceKinds.Cpu) != 0 || size <= 0)
            {
                return;
            }

            var best = allowed
                .Select(d => (Device: d, BreakEven: BreakEven(work, host, d)))
                .OrderBy(x => x.BreakEven)
                .First();
            if (size < best.BreakEven && reported.Add(node.MethodName + "#breakeven"))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BelowBreakEven, location, node.Name, node.Cost.AllowedDevices.ToString(),
                    size.ToString("0", CultureInfo.InvariantCulture),
                    double.IsPositiveInfinity(best.BreakEven) ? "never" : best.BreakEven.ToString("0", CultureInfo.InvariantCulture), best.Device.Name));
            }
        }

        private static void AnalyzeKernel(SyntaxNodeAnalysisContext context, INamedTypeSymbol kernelAttribute, List<ProfileDevice> profile)
        {
            var syntax = (MethodDeclarationSyntax)context.Node;
            if (syntax.AttributeLists.Count == 0 || context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol method
                || !method.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, kernelAttribute)))
            {
                return;
            }

            var accelerators = profile.Where(d => KindOf(d) != DeviceKinds.Cpu).ToList();
            if (accelerators.Count == 0)
            {
                return; // Kernels run on the managed CPU device anyway.
            }

            bool fp64 = false, fp16 = false;
            void Look(ITypeSymbol? t)
            {
                if (t is INamedTypeSymbol { IsGenericType: true } g && (g.Name == "Span" || g.Name == "ReadOnlySpan"))
                {
                    t = g.TypeArguments[0];
                }

                fp64 |= t?.SpecialType == SpecialType.System_Double;
                fp16 |= t?.Name == "Half" && t.ContainingNamespace?.ToDisplayString() == "System";
            }

            foreach (var p in method.Parameters)
            {
                Look(p.Type);
            }

            foreach (var declaration in syntax.DescendantNodes().OfType<VariableDeclarationSyntax>())
            {
                Look(context.SemanticModel.GetTypeInfo(declaration.Type, context.CancellationToken).Type);
            }

            string? missing = fp64 && !accelerators.Any(d => d.SupportsFp64) ? "double precision (fp64)"
                : fp16 && !accelerators.Any(d => d.SupportsFp16) ? "half precision (fp16)"
                : null;
            if (missing is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.KernelFeatureMissing, method.Locations.FirstOrDefault(), method.ContainingType.Name + "." + method.Name, missing));
            }
        }

        /// <summary>A node's work as the checks use it: the shared composition (CostMath.NodeWork) of its hints and model, at its precision.</summary>
        private static NodeWork Work(NodeSpec node)
        {
            var cost = node.Cost;
            var m = cost.Model;
            LlmWork? model = m is not null && CostMath.IsLlm(node.Kind) && CostMath.CanDescribe(m.Layers, m.HiddenSize, m.Heads)
                ? CostMath.ModelWork(m.Parameters, m.Layers, m.HiddenSize, m.Heads, m.KvHeads, m.Precision, m.PromptTokens, m.OutputTokens, 1)
                : (LlmWork?)null;
            var (flops, bytes, footprint) = CostMath.NodeWork(cost.Flops, cost.BytesMoved, cost.MemoryFootprintBytes, model);
            return new NodeWork(flops, bytes, footprint, CostMath.PrecisionOf(m?.Precision ?? Precision.Unspecified, node.Kind));
        }

        /// <summary>What the shared compositions need of a profile device at a precision.</summary>
        private static DeviceRates Rates(ProfileDevice d, Precision precision) => new DeviceRates(
            CostMath.PeakFlops(d.Fp32Tflops, d.Fp16Tflops, d.Fp8Tflops, precision), d.BandwidthBytesPerSecond, d.LaunchSeconds, d.HostLinkBytesPerSecond, d.HostLatencySeconds);

        private static double BreakEven(NodeWork work, ProfileDevice host, ProfileDevice device) =>
            CostMath.OffloadBreakEvenBytes(work.Flops / CostMath.InputSize(work.Flops, work.Bytes), Rates(host, work.Precision), Rates(device, work.Precision));

        /// <summary>
        /// The figures the checks use for each node of <paramref name="graphTypeName"/> on each catalog device (the host is the
        /// catalog's EPYC-9654): held against the planner's by tests/AgentDsl.Analyzers.Tests/CostAgreementTests.cs.
        /// Break-even is NaN for a node with no work to scale.
        /// </summary>
        internal static List<(string Node, string Device, double Flops, double Bytes, int Precision, double Footprint, double Seconds, double BreakEven)> Figures(Compilation compilation, string graphTypeName)
        {
            var type = compilation.GetTypeByMetadataName(graphTypeName) ?? throw new ArgumentException("no type " + graphTypeName, nameof(graphTypeName));
            var attribute = type.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.AgentGraphAttribute);
            var spec = FlowLowerer.Lower(type, attribute, compilation, default).Spec ?? throw new ArgumentException("the flow of " + graphTypeName + " does not lower", nameof(graphTypeName));
            var host = Catalog.Value["EPYC-9654"];
            var rows = new List<(string, string, double, double, int, double, double, double)>();
            foreach (var node in spec.Nodes)
            {
                var work = Work(node);
                bool scales = CostMath.InputSize(work.Flops, work.Bytes) > 0;
                foreach (var d in Catalog.Value.Values.OrderBy(d => d.Name, StringComparer.Ordinal))
                {
                    rows.Add((node.Name, d.Name, work.Flops, work.Bytes, (int)work.Precision, work.Footprint, CostMath.Seconds(work.Flops, work.Bytes, Rates(d, work.Precision)),
                        scales ? BreakEven(work, host, d) : double.NaN));
                }
            }

            return rows;
        }

        private readonly struct NodeWork
        {
            public NodeWork(double flops, double bytes, double footprint, Precision precision)
            {
                Flops = flops;
                Bytes = bytes;
                Footprint = footprint;
                Precision = precision;
            }

            public double Flops { get; }

            public double Bytes { get; }

            public double Footprint { get; }

            public Precision Precision { get; }
        }

        /// <summary>A profile device's kind (the profile reader keeps the DeviceKinds code).</summary>
        private static DeviceKinds KindOf(ProfileDevice device) => device.Kind;

        private static Location? OperatorLocation(INamedTypeSymbol type, string method) =>
            type.GetMembers(method).OfType<IMethodSymbol>().FirstOrDefault()?.Locations.FirstOrDefault();

        private static string Gb(double bytes) => (bytes / 1e9).ToString("0.##", CultureInfo.InvariantCulture);

        private static Dictionary<string, ProfileDevice> LoadCatalog()
        {
            using var stream = typeof(PlacementAnalyzer).Assembly.GetManifestResourceStream("AgentDsl.Analyzers.hardware-catalog.json");
            using var reader = new StreamReader(stream!);
            return ProfileReader.ReadCatalog(reader.ReadToEnd()).ByName();
        }
    }
}
