using Shouldly;
using Xunit;
using static Meshwork.Kafka.Protocol.Tests.TestSupport;

namespace Meshwork.Kafka.Protocol.Tests;

public class MessageRoundTripTests
{
    public static TheoryData<string, short> AllMessageVersionCases()
    {
        var data = new TheoryData<string, short>();
        foreach (var (type, version) in AllMessageVersions())
        {
            data.Add(type.Name, version);
        }

        return data;
    }

    private static Type TypeNamed(string name) => MessageTypes.Single(t => t.Name == name);

    [Fact]
    public void EveryApi_HasRequestAndResponseTypes()
    {
        MessageTypes.Count.ShouldBe(ApiVersionTable.All.Count * 2);
    }

    [Theory]
    [MemberData(nameof(AllMessageVersionCases))]
    public void Body_RoundTrips_ByteForByte(string typeName, short version)
    {
        var type = TypeNamed(typeName);
        var sample = Sample(type);
        var encoded = Encode(sample, version);
        var decoded = Decode(type, encoded, version, out var consumed);
        consumed.ShouldBe(encoded.Length);
        decoded.GetType().ShouldBe(type);
        ToHex(Encode(decoded, version)).ShouldBe(ToHex(encoded));
    }

    [Theory]
    [MemberData(nameof(AllMessageVersionCases))]
    public void Frame_RoundTrips_ThroughCodec(string typeName, short version)
    {
        var type = TypeNamed(typeName);
        var sample = Sample(type, seed: 7);
        if (IsRequest(type))
        {
            var frame = RequestFrame((IKafkaRequest)sample, version);
            var decoded = KafkaCodec.DecodeRequest(frame);
            decoded.Header.CorrelationId.ShouldBe(42);
            decoded.Header.ClientId.ShouldBe("test");
            ToHex(Encode(decoded.Body, version)).ShouldBe(ToHex(Encode(sample, version)));
        }
        else
        {
            var frame = ResponseFrame((IKafkaResponse)sample, version);
            var decoded = KafkaCodec.DecodeResponse(frame, ApiOf(type), version, out var correlationId);
            correlationId.ShouldBe(42);
            ToHex(Encode(decoded, version)).ShouldBe(ToHex(Encode(sample, version)));
        }
    }

    [Theory]
    [MemberData(nameof(AllMessageVersionCases))]
    public void EmptyMessage_RoundTrips(string typeName, short version)
    {
        var type = TypeNamed(typeName);
        var empty = (IKafkaMessage)Activator.CreateInstance(type)!;
        var encoded = Encode(empty, version);
        var decoded = Decode(type, encoded, version, out var consumed);
        consumed.ShouldBe(encoded.Length);
        ToHex(Encode(decoded, version)).ShouldBe(ToHex(encoded));
    }
}
