using AgentDsl.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MyAgent;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseAgentDsl(agentDsl => agentDsl.AddGraph<Greeter>());
using var host = builder.Build();
await host.StartAsync();

var runner = host.Services.GetRequiredService<IAgentRunner<Greeter>>();
var result = await runner.RunAsync(args.Length > 0 ? args[0] : "world");
Console.WriteLine($"{result.Output} in {result.Elapsed.TotalMilliseconds:0.0} ms, SLA met: {result.MetSla}");
foreach (var node in result.Nodes)
{
    Console.WriteLine($"  {node.Name} on {node.Device}");
}

await host.StopAsync();
