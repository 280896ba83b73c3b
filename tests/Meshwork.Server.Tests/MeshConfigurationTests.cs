using Meshwork.Server.Configuration;
using Meshwork.Testing;
using Microsoft.Extensions.Logging;
using Shouldly;

namespace Meshwork.Server.Tests;

public sealed class MeshConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new("meshwork-config");

    public void Dispose() => _dir.Dispose();

    private LoadedConfiguration Load(string? yaml = null, Dictionary<string, string>? env = null, params ConfigValue[] flags)
    {
        if (yaml is not null)
        {
            File.WriteAllText(_dir.Combine("meshwork.yaml"), yaml);
        }

        return MeshConfiguration.Load(new ConfigInput(null, env ?? [], flags, _dir.Path));
    }

    private ConfigException LoadFails(string? yaml = null, Dictionary<string, string>? env = null, params ConfigValue[] flags) =>
        Should.Throw<ConfigException>(() => Load(yaml, env, flags));

    [Fact]
    public void Load_UsesEmbeddedDefaults_WithNoFileEnvironmentOrFlags()
    {
        var options = Load().Options;

        options.DataDirectory.ShouldBe(_dir.Combine(".meshwork"));
        options.Http.ShouldBe(new EndpointOptions("127.0.0.1", 8080));
        options.Metadata.ConnectionString.ShouldBeNull();
        options.LogLevel.ShouldBe(LogLevel.Information);
    }

    [Fact]
    public void Load_AppliesLayersInOrder_FileThenEnvironmentThenFlags()
    {
        var yaml = "http:\n  port: 9000\n  host: 0.0.0.0\nlog:\n  level: debug\n";
        var env = new Dictionary<string, string> { ["MESHWORK_HTTP_PORT"] = "9001", ["MESHWORK_LOG_LEVEL"] = "warning" };

        var loaded = Load(yaml, env, new ConfigValue("log.level", "error", "--log-level"));

        loaded.Options.Http.ShouldBe(new EndpointOptions("0.0.0.0", 9001));
        loaded.Options.LogLevel.ShouldBe(LogLevel.Error);
        loaded.Effective.Single(v => v.Key == "http.host").Source.ShouldBe("meshwork.yaml:3");
        loaded.Effective.Single(v => v.Key == "http.port").Source.ShouldBe("MESHWORK_HTTP_PORT");
        loaded.Effective.Single(v => v.Key == "log.level").Source.ShouldBe("--log-level");
    }

    [Fact]
    public void Load_NamesFileAndLine_ForAnUnknownKey()
    {
        var error = LoadFails("http:\n  port: 8080\n  prot: 8081\n");

        error.Errors.ShouldHaveSingleItem().Source.ShouldBe("meshwork.yaml:3");
        error.Errors[0].Key.ShouldBe("http.prot");
        error.Message.ShouldContain("Did you mean 'http.port'?");
    }

    [Fact]
    public void Load_NamesFileLineAndColumn_ForMalformedYaml()
    {
        var error = LoadFails("http:\n  port: 8080\n   host: [unclosed\n");

        error.Errors.ShouldHaveSingleItem().Source.ShouldStartWith("meshwork.yaml:3:");
        error.Errors[0].Reason.ShouldStartWith("malformed YAML");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("65536")]
    [InlineData("80 80")]
    public void Load_RefusesABadPort_NamingKeyValueAndSource(string port)
    {
        var error = LoadFails(env: new() { ["MESHWORK_HTTP_PORT"] = port });

        var problem = error.Errors.ShouldHaveSingleItem();
        problem.ShouldBe(problem with { Source = "MESHWORK_HTTP_PORT", Key = "http.port", Value = port });
        problem.Reason.ShouldContain("1 to 65535");
    }

    [Fact]
    public void Load_ReportsEveryErrorAtOnce()
    {
        var env = new Dictionary<string, string> { ["MESHWORK_HTTP_PORT"] = "x", ["MESHWORK_HTTP_HSOT"] = "y" };

        var error = LoadFails("log:\n  level: loud\n", env, new ConfigValue("nope", "1", "--set nope"));

        error.Errors.Select(e => e.Source).ShouldBe(["MESHWORK_HTTP_HSOT", "--set nope", "MESHWORK_HTTP_PORT", "meshwork.yaml:2"], ignoreOrder: true);
    }

    [Fact]
    public void Load_RefusesADataDirectoryThatIsAFile()
    {
        File.WriteAllText(_dir.Combine("taken"), "");

        var error = LoadFails(flags: new ConfigValue("data", "taken", "--data"));

        error.Errors.ShouldHaveSingleItem().Reason.ShouldContain("is a file, not a directory");
    }

    [Fact]
    public void Load_RefusesADataDirectoryBeneathAFile()
    {
        File.WriteAllText(_dir.Combine("file"), "");

        var error = LoadFails(flags: new ConfigValue("data", "file/below/data", "--data"));

        error.Errors.ShouldHaveSingleItem().Reason.ShouldContain("is a file");
    }

    [Fact]
    public void Load_WritesNothing_WhenTheDataDirectoryDoesNotExistYet()
    {
        Load(flags: new ConfigValue("data", "new/data", "--data"));

        Directory.Exists(_dir.Combine("new")).ShouldBeFalse();
    }

    [Fact]
    public void Load_RefusesAPasswordInTheConfigurationFile()
    {
        var error = LoadFails("metadata:\n  connectionString: Host=db;Database=mesh;Username=u;Password=hunter2\n");

        var problem = error.Errors.ShouldHaveSingleItem();
        problem.Source.ShouldBe("meshwork.yaml:2");
        problem.Reason.ShouldContain("MESHWORK_METADATA_CONNECTION_STRING");
        error.Message.ShouldNotContain("hunter2");
    }

    [Fact]
    public void Load_ReadsTheConnectionStringFromTheEnvironmentOrAFile()
    {
        File.WriteAllText(_dir.Combine("secret"), "Host=db;Database=mesh;Username=u;Password=hunter2\n");

        Load(env: new() { ["MESHWORK_METADATA_CONNECTION_STRING"] = "postgres://u:p@db/mesh" }).Options.Metadata.ConnectionString.ShouldBe("postgres://u:p@db/mesh");
        Load("metadata:\n  connectionStringFile: secret\n").Options.Metadata.ConnectionString.ShouldBe("Host=db;Database=mesh;Username=u;Password=hunter2");
    }

    [Fact]
    public void Load_RefusesAnUnknownMeshworkEnvironmentVariable()
    {
        var error = LoadFails(env: new() { ["MESHWORK_HTTP_PROT"] = "1", ["HOME"] = "/root" });

        error.Errors.ShouldHaveSingleItem().Source.ShouldBe("MESHWORK_HTTP_PROT");
    }

    [Fact]
    public void Load_FailsWhenANamedConfigFileIsMissing()
    {
        var error = Should.Throw<ConfigException>(() => MeshConfiguration.Load(new ConfigInput("nowhere.yaml", new Dictionary<string, string>(), [], _dir.Path)));

        error.Errors.ShouldHaveSingleItem().Source.ShouldBe("--config");
    }

    [Fact]
    public void Print_RedactsSecrets_AndShowsSources()
    {
        var env = new Dictionary<string, string> { ["MESHWORK_METADATA_CONNECTION_STRING"] = "Host=db;Database=mesh;Username=u;Password=hunter2" };

        var printed = MeshConfiguration.Print(Load(env: env));

        printed.ShouldNotContain("hunter2");
        printed.ShouldContain("Password=***");
        printed.ShouldContain("# MESHWORK_METADATA_CONNECTION_STRING");
        printed.ShouldContain("port: 8080  # default");
    }

    [Fact]
    public void Load_BindsLakeSettings_ForLocalDiskAndS3()
    {
        var local = Load().Options.Lake;
        local.Storage.ShouldBe(Meshwork.Lake.LakeStorage.Local);
        local.Warehouse(_dir.Path).ShouldBe(new Uri(_dir.Combine("lake")).AbsoluteUri);

        var yaml = "lake:\n  storage: s3\n  s3:\n    bucket: mesh-lake\n    endpoint: http://127.0.0.1:9000\n    forcePathStyle: true\n    kmsKeyId: alias/lake\n";
        var env = new Dictionary<string, string> { ["MESHWORK_LAKE_S3_ACCESS_KEY_ID"] = "AKIA", ["MESHWORK_LAKE_S3_SECRET_ACCESS_KEY"] = "s3cret" };
        var loaded = Load(yaml, env);
        var s3 = loaded.Options.Lake;
        s3.Storage.ShouldBe(Meshwork.Lake.LakeStorage.S3);
        s3.Warehouse(_dir.Path).ShouldBe("s3://mesh-lake/lake");
        s3.S3.Endpoint.ShouldBe("http://127.0.0.1:9000");
        s3.S3.ForcePathStyle.ShouldBeTrue();
        s3.S3.SecretAccessKey.ShouldBe("s3cret");
        s3.S3.KmsKeyId.ShouldBe("alias/lake");
        MeshConfiguration.Print(loaded).ShouldNotContain("s3cret");
    }

    [Fact]
    public void Load_BindsProcessingSettings_AndRefusesAZeroInterval()
    {
        var defaults = Load().Options.Processing;
        defaults.Enabled.ShouldBeTrue();
        defaults.CommitInterval.ShouldBe(TimeSpan.FromSeconds(1));
        defaults.CommitRecords.ShouldBe(10_000);

        var env = new Dictionary<string, string> { ["MESHWORK_PROCESSING_COMMIT_INTERVAL_MS"] = "250" };
        var set = Load("processing:\n  enabled: false\n", env, new ConfigValue("processing.commitRecords", "500", "--set processing.commitRecords")).Options.Processing;
        set.Enabled.ShouldBeFalse();
        set.CommitInterval.ShouldBe(TimeSpan.FromMilliseconds(250));
        set.CommitRecords.ShouldBe(500);

        LoadFails(env: new Dictionary<string, string> { ["MESHWORK_PROCESSING_COMMIT_INTERVAL_MS"] = "0" }).Errors.ShouldContain(e => e.Key == "processing.commitIntervalMs");
    }

    [Fact]
    public void Load_RefusesS3WithoutABucket_AndASecretKeyInTheFile()
    {
        LoadFails("lake:\n  storage: s3\n").Errors.ShouldContain(e => e.Key == "lake.s3.bucket");
        LoadFails("lake:\n  storage: hdfs\n").Errors.ShouldContain(e => e.Key == "lake.storage");
        var error = LoadFails("lake:\n  s3:\n    secretAccessKey: s3cret\n");
        error.Errors.ShouldContain(e => e.Key == "lake.s3.secretAccessKey");
        error.Message.ShouldNotContain("s3cret");
    }

    [Fact]
    public void EnvironmentVariables_AreDerivedFromKeys()
    {
        MeshConfiguration.Settings.Single(s => s.Key == "metadata.connectionString").EnvironmentVariable.ShouldBe("MESHWORK_METADATA_CONNECTION_STRING");
        MeshConfiguration.Settings.Single(s => s.Key == "http.port").EnvironmentVariable.ShouldBe("MESHWORK_HTTP_PORT");
    }
}
