using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>
/// Points Confluent.Kafka at Debian's <c>librdkafka1</c> (2.0.2, the oldest client we promise to serve) instead of
/// the bundled native package, which the offline mirror does not carry. The managed assembly asks for
/// <c>librdkafka</c> and <c>libdl</c> by bare name; on Debian only the versioned sonames exist.
/// Install with <c>apt-get install librdkafka1</c>.
/// <para>
/// The managed client is Confluent.Kafka 1.9.3, not 2.x: from 2.1 its consumer calls entry points that librdkafka
/// gained in 2.1 (<c>rd_kafka_topic_partition_get_leader_epoch</c>), so a 2.x consumer throws
/// <see cref="EntryPointNotFoundException"/> on Debian bookworm's 2.0.2. 1.9.3 binds only functions 2.0.2 has.
/// </para>
/// </summary>
internal static class Librdkafka
{
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "A test assembly: the resolver must be in place before any test touches Confluent.Kafka.")]
    internal static void Initialize()
    {
        NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
        try
        {
            Confluent.Kafka.Library.Load("librdkafka.so.1");
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException("librdkafka.so.1 is not installed: apt-get install librdkafka1 (./test.sh installs it).", e);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) => name switch
    {
        "libdl" => NativeLibrary.Load("libdl.so.2"),
        "librdkafka" => NativeLibrary.Load("librdkafka.so.1"),
        _ => IntPtr.Zero,
    };
}
