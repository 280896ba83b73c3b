using System.Text.Json;
using Confluent.Kafka;
using Meshwork.Cli;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>
/// SASL on a broker that refuses anonymous clients, with users created the way an operator does
/// (<c>mesh users set</c>): librdkafka (Confluent.Kafka) and kafkajs with SCRAM-SHA-512, kafka-python with PLAIN over
/// raw tokens. A right password works end to end; a wrong one is refused and leaves a structured audit line.
/// </summary>
public sealed class SaslConformanceTests(SaslKafkaMeshFixture mesh) : IClassFixture<SaslKafkaMeshFixture>, IDisposable
{
    private const int AuthenticationSucceeded = 4001;
    private const int AuthenticationFailed = 4002;
    private const string Scram512 = "SCRAM-SHA-512";
    private const int Messages = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _dir = new("meshwork-sasl");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Librdkafka_ScramSha512_WorksWithTheRightPassword_AndIsRefusedAndAuditedWithAWrongOne()
    {
        var (user, password) = await CreateUserAsync();
        var topic = $"sasl-librdkafka-{Guid.NewGuid():n}";

        using (var producer = new ProducerBuilder<Null, string>(Config(new ProducerConfig { Acks = Acks.All, MessageTimeoutMs = (int)Patience.TotalMilliseconds }, user, password)).Build())
        {
            for (var i = 0; i < Messages; i++)
            {
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = $"scram-{i}" }, Cancel);
            }
        }

        var consumerConfig = Config(new ConsumerConfig { GroupId = $"{topic}-reader", AutoOffsetReset = AutoOffsetReset.Earliest }, user, password);
        using (var consumer = new ConsumerBuilder<Ignore, string>(consumerConfig).Build())
        {
            consumer.Subscribe(topic);
            var values = new List<string>();
            while (values.Count < Messages && consumer.Consume(Patience) is { } result)
            {
                values.Add(result.Message.Value);
            }

            values.ShouldBe(Enumerable.Range(0, Messages).Select(i => $"scram-{i}"));
            consumer.Close();
        }

        var refused = await FirstErrorAsync(Config(new ProducerConfig(), user, password + "-wrong"));

        refused.Code.ShouldBe(ErrorCode.Local_Authentication, refused.Reason);
        refused.Reason.ShouldContain("invalid credentials");
        AuditLine(AuthenticationSucceeded, user).ShouldNotBeNull();
        var audit = AuditLine(AuthenticationFailed, user).ShouldNotBeNull();
        audit["Mechanism"].ShouldBe(Scram512);
        audit["Outcome"].ShouldBe("failed");
        audit["Remote"].ShouldStartWith("127.0.0.1:");
        audit["Listener"].ShouldBe(mesh.Bootstrap);
        audit.Level.ShouldBe(Microsoft.Extensions.Logging.LogLevel.Warning);
        audit.Message.ShouldNotContain(password);
    }

    [Fact]
    public async Task Kafkajs_ScramSha512_WorksWithTheRightPassword_AndIsRefusedAndAuditedWithAWrongOne()
    {
        var (user, password) = await CreateUserAsync();
        var topic = $"sasl-kafkajs-{Guid.NewGuid():n}";

        using var accepted = JsonDocument.Parse(await KafkaTools.RunNodeAsync("kafkajs_client.mjs", ["sasl", mesh.Bootstrap, topic, "scram-sha-512", user, password], ClientTimeout));
        using var refused = JsonDocument.Parse(await KafkaTools.RunNodeAsync("kafkajs_client.mjs", ["sasl", mesh.Bootstrap, topic, "scram-sha-512", user, password + "-wrong"], ClientTimeout));

        accepted.RootElement.GetProperty("ok").GetBoolean().ShouldBeTrue(accepted.RootElement.ToString());
        accepted.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetString()).ShouldBe(Enumerable.Range(0, Messages).Select(i => $"scram-sha-512-{i}"));
        refused.RootElement.GetProperty("ok").GetBoolean().ShouldBeFalse();
        refused.RootElement.GetProperty("error").GetString().ShouldNotBeNull().ShouldContain("invalid credentials");
        AuditLine(AuthenticationSucceeded, user).ShouldNotBeNull()["Mechanism"].ShouldBe(Scram512);
        var audit = AuditLine(AuthenticationFailed, user).ShouldNotBeNull();
        audit["Mechanism"].ShouldBe(Scram512);
        audit["Remote"].ShouldStartWith("127.0.0.1:");
        audit["Listener"].ShouldBe(mesh.Bootstrap);
    }

    [Fact]
    public async Task KafkaPython_PlainOverRawTokens_WorksWithTheRightPassword_AndIsRefusedWithAWrongOne()
    {
        var (user, password) = await CreateUserAsync();
        var topic = $"sasl-kafka-python-{Guid.NewGuid():n}";

        using var accepted = JsonDocument.Parse(await KafkaTools.RunPythonAsync("kafka_python_sasl_plain.py", [mesh.Bootstrap, topic, user, password], ClientTimeout));
        using var refused = JsonDocument.Parse(await KafkaTools.RunPythonAsync("kafka_python_sasl_plain.py", [mesh.Bootstrap, topic, user, password + "-wrong"], ClientTimeout));

        accepted.RootElement.GetProperty("ok").GetBoolean().ShouldBeTrue(accepted.RootElement.ToString());
        accepted.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetString()).ShouldBe(Enumerable.Range(0, Messages).Select(i => $"plain-{i}"));
        refused.RootElement.GetProperty("ok").GetBoolean().ShouldBeFalse();
        AuditLine(AuthenticationFailed, user).ShouldNotBeNull()["Mechanism"].ShouldBe("PLAIN");
    }

    [Fact]
    public async Task Librdkafka_WithoutSasl_IsNotServed()
    {
        var error = await FirstErrorAsync(new ProducerConfig { BootstrapServers = mesh.Bootstrap });

        error.Code.ShouldBeOneOf(ErrorCode.Local_Transport, ErrorCode.Local_AllBrokersDown);
        mesh.Logs.Entries.ShouldContain(e => e.Message.Contains("before authentication", StringComparison.Ordinal));
    }

    /// <summary>Creates a user with a fresh password through <c>mesh users set</c>, as an operator would.</summary>
    private async Task<(string User, string Password)> CreateUserAsync()
    {
        var user = $"user-{Guid.NewGuid():n}";
        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        var file = _dir.Combine($"{user}.pw");
        await File.WriteAllTextAsync(file, password + "\n", Cancel);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await MeshCli.RunAsync(["users", "set", user, "--mechanism", Scram512, "--password-file", file, "--server", mesh.Server.HttpAddress.ToString()],
            new CliContext(output, error, new Dictionary<string, string>(), _dir.Path), Cancel);
        exit.ShouldBe(ExitCodes.Ok, error.ToString());
        return (user, password);
    }

    private T Config<T>(T config, string user, string password)
        where T : ClientConfig
    {
        config.BootstrapServers = mesh.Bootstrap;
        config.SecurityProtocol = SecurityProtocol.SaslPlaintext;
        config.SaslMechanism = SaslMechanism.ScramSha512;
        config.SaslUsername = user;
        config.SaslPassword = password;
        return config;
    }

    /// <summary>Starts a producer that asks for metadata and returns the first error librdkafka reports.</summary>
    private static async Task<Error> FirstErrorAsync(ProducerConfig config)
    {
        var first = new TaskCompletionSource<Error>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var producer = new ProducerBuilder<Null, string>(config)
            .SetErrorHandler((_, e) => first.TrySetResult(e))
            .SetLogHandler((_, _) => { }) // the refusals are expected; keep them out of the test output
            .Build();
        var metadata = Task.Run(() =>
        {
            try
            {
                using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
                admin.GetMetadata(TimeSpan.FromSeconds(5));
            }
            catch (KafkaException e)
            {
                first.TrySetResult(e.Error);
            }
        }, Cancel);
        var error = await first.Task.WaitAsync(Patience, Cancel);
        await metadata;
        return error;
    }

    private LogEntry? AuditLine(int eventId, string user) =>
        mesh.Logs.Entries.LastOrDefault(e => e.EventId.Id == eventId && e["User"] == user);
}
