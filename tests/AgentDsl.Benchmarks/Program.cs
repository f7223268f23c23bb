using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/AgentDsl.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
