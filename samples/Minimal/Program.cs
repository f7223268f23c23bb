using AgentDsl;

await using var agent = await AgentApp.StartAsync(new Pipeline());
Console.WriteLine((await agent.RunAsync([1, 2, 3])).Output);

[AgentGraph(LatencySlaMs = 500)]
public partial class Pipeline
{
    [Flow] public async Task<string> Run(byte[] audio, CancellationToken ct)
    {
        string text = Redact(await Transcribe(audio, ct));
        string[] passages = Search(Embed(text));
        return Speak(await Answer(text, passages, Classify(text), ct));
    }
    [Operator(OperatorKind.Model)] public Task<string> Transcribe(byte[] audio, CancellationToken ct) => Task.FromResult($"{audio.Length} bytes of secret speech");
    [Operator] public string Redact(string text) => text.Replace("secret", "***");
    [Operator(OperatorKind.Model)] public float[] Embed(string text) => [text.Length];
    [Operator(OperatorKind.Memory)] public string[] Search(float[] vector) => [$"passage {vector[0]}"];
    [Operator] public string Classify(string text) => text.Contains('?') ? "question" : "statement";
    [Operator(OperatorKind.Llm)] public Task<string> Answer(string text, string[] passages, string intent, CancellationToken ct) => Task.FromResult($"{intent}: {passages[0]}");
    [Operator(OperatorKind.Model)] public string Speak(string answer) => $"<speech>{answer}</speech>";
}
