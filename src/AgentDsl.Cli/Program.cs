using AgentDsl.Cli;

return await AgentDslCli.RunAsync(args, Console.Out, Console.Error);
