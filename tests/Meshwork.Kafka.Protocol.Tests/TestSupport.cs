using System.Collections;
using System.Reflection;

namespace Meshwork.Kafka.Protocol.Tests;

/// <summary>Helpers shared by the protocol tests: hex, encode/decode, and a reflection-based sample filler.</summary>
internal static class TestSupport
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty).Replace("\n", string.Empty));

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    public static byte[] Encode(IKafkaMessage message, short version)
    {
        using var buffer = new PooledBufferWriter();
        message.Write(new KafkaWriter(buffer), version);
        return buffer.ToArray();
    }

    public static IReadOnlyList<Type> MessageTypes { get; } =
        [.. typeof(IKafkaMessage).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(IKafkaMessage).IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

    public static ApiKey ApiOf(Type messageType) => ((IKafkaMessage)Activator.CreateInstance(messageType)!).Api;

    public static bool IsRequest(Type messageType) => typeof(IKafkaRequest).IsAssignableFrom(messageType);

    /// <summary>Every (message type, version) pair Meshwork advertises.</summary>
    public static IEnumerable<(Type Type, short Version)> AllMessageVersions()
    {
        foreach (var type in MessageTypes)
        {
            var range = ApiVersionTable.Get(ApiOf(type));
            for (var v = range.MinVersion; v <= range.MaxVersion; v++)
            {
                yield return (type, v);
            }
        }
    }

    public static IKafkaMessage Decode(Type messageType, ReadOnlySpan<byte> body, short version, out int consumed)
    {
        var reader = new KafkaReader(body);
        var message = IsRequest(messageType)
            ? (IKafkaMessage)KafkaCodec.ReadRequestBody(ApiOf(messageType), version, ref reader)
            : KafkaCodec.ReadResponseBody(ApiOf(messageType), version, ref reader);
        consumed = reader.Position;
        return message;
    }

    /// <summary>Creates a message with every settable property holding a distinct non-default value.</summary>
    public static IKafkaMessage Sample(Type messageType, int seed = 1) => (IKafkaMessage)Fill(messageType, new Counter(seed), depth: 0);

    private sealed class Counter(int start)
    {
        public int Next() => start++;
    }

    private static object Fill(Type type, Counter counter, int depth)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.Name.EndsWith("Segments", StringComparison.Ordinal))
            {
                continue;
            }

            property.SetValue(instance, Value(property.PropertyType, counter, depth));
        }

        return instance;
    }

    private static object? Value(Type type, Counter counter, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var n = counter.Next();
        if (underlying == typeof(sbyte))
        {
            return (sbyte)(n % 100 + 1);
        }

        if (underlying == typeof(short))
        {
            return (short)(n + 1);
        }

        if (underlying == typeof(int))
        {
            return n * 1000 + 1;
        }

        if (underlying == typeof(long))
        {
            return n * 100_000L + 7;
        }

        if (underlying == typeof(double))
        {
            return n + 0.5;
        }

        if (underlying == typeof(bool))
        {
            // Alternate so that fields defaulting to true are exercised too.
            return n % 2 == 0;
        }

        if (underlying == typeof(string))
        {
            return $"s{n}";
        }

        if (underlying == typeof(Guid))
        {
            return new Guid(n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        }

        if (underlying == typeof(ErrorCode))
        {
            return ErrorCode.CorruptMessage;
        }

        if (underlying == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemory<byte>([1, 2, (byte)n]);
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            var element = underlying.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(underlying)!;
            var count = depth > 3 ? 1 : 2;
            for (var i = 0; i < count; i++)
            {
                list.Add(Value(element, counter, depth + 1));
            }

            return list;
        }

        if (underlying.IsClass)
        {
            return Fill(underlying, counter, depth + 1);
        }

        throw new NotSupportedException($"No sample value for {type}.");
    }

    /// <summary>A full request frame (size prefix stripped) for a sample request.</summary>
    public static byte[] RequestFrame(IKafkaRequest request, short version, int correlationId = 42)
    {
        using var buffer = new PooledBufferWriter();
        KafkaCodec.WriteRequest(buffer, new RequestHeader { ApiKey = request.Api, ApiVersion = version, CorrelationId = correlationId, ClientId = "test" }, request);
        return buffer.WrittenSpan[KafkaFraming.SizePrefixLength..].ToArray();
    }

    /// <summary>A full response frame (size prefix stripped) for a sample response.</summary>
    public static byte[] ResponseFrame(IKafkaResponse response, short version, int correlationId = 42)
    {
        using var buffer = new PooledBufferWriter();
        KafkaCodec.WriteResponse(buffer, correlationId, version, response);
        return buffer.WrittenSpan[KafkaFraming.SizePrefixLength..].ToArray();
    }
}
