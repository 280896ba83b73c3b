using Meshwork.Kafka.Protocol.Messages;
using Shouldly;
using Xunit;
using static Meshwork.Kafka.Protocol.Tests.TestSupport;

namespace Meshwork.Kafka.Protocol.Tests;

/// <summary>Hand-assembled bytes derived field by field from the apache/kafka JSON message definitions.</summary>
public class GoldenBytesTests
{
    private static void AssertBody(IKafkaMessage message, short version, string hex)
    {
        var expected = Hex(hex);
        ToHex(Encode(message, version)).ShouldBe(ToHex(expected));
        var decoded = Decode(message.GetType(), expected, version, out var consumed);
        consumed.ShouldBe(expected.Length);
        ToHex(Encode(decoded, version)).ShouldBe(ToHex(expected));
    }

    private static string ResponseFrameHex(IKafkaResponse response, short version, int correlationId)
    {
        using var output = new PooledBufferWriter();
        KafkaCodec.WriteResponse(output, correlationId, version, response);
        return ToHex(output.WrittenSpan);
    }

    private static string RequestFrameHex(IKafkaRequest request, short version, int correlationId, string? clientId)
    {
        using var output = new PooledBufferWriter();
        KafkaCodec.WriteRequest(output, new RequestHeader { ApiKey = request.Api, ApiVersion = version, CorrelationId = correlationId, ClientId = clientId }, request);
        return ToHex(output.WrittenSpan);
    }

    private static ApiVersionsResponse OneApiVersion() => new()
    {
        ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = 18, MinVersion = 0, MaxVersion = 3 }],
    };

    [Fact]
    public void ApiVersionsRequest_V0_Frame()
    {
        RequestFrameHex(new ApiVersionsRequest(), 0, 1, "ab")
            .ShouldBe(ToHex(Hex("0000000C 0012 0000 00000001 0002 6162")));
    }

    [Fact]
    public void ApiVersionsRequest_V3_Frame_UsesHeaderV2()
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = "lib", ClientSoftwareVersion = "1.0" };
        RequestFrameHex(request, 3, 7, "k")
            .ShouldBe(ToHex(Hex("00000015 0012 0003 00000007 0001 6B 00" + "04 6C6962 04 312E30 00")));
        var decoded = KafkaCodec.DecodeRequest(Hex("0012 0003 00000007 0001 6B 00 04 6C6962 04 312E30 00"));
        ((ApiVersionsRequest)decoded.Body).ClientSoftwareName.ShouldBe("lib");
    }

    [Fact]
    public void ApiVersionsResponse_V0_Frame()
    {
        ResponseFrameHex(OneApiVersion(), 0, 7)
            .ShouldBe(ToHex(Hex("00000010 00000007 0000 00000001 0012 0000 0003")));
    }

    [Fact]
    public void ApiVersionsResponse_V3_Frame_UsesResponseHeaderV0()
    {
        // No tagged-field byte after the correlation id: librdkafka parses ApiVersions with header v0.
        ResponseFrameHex(OneApiVersion(), 3, 7)
            .ShouldBe(ToHex(Hex("00000013 00000007 0000 02 0012 0000 0003 00 00000000 00")));
    }

    [Fact]
    public void ApiVersionsResponse_V3_WritesNonDefaultTaggedFields()
    {
        var response = OneApiVersion();
        response.FinalizedFeaturesEpoch = 5;
        AssertBody(response, 3, "0000 02 0012 0000 0003 00 00000000 01 01 08 0000000000000005");
    }

    [Fact]
    public void MetadataRequest_V1_NullTopics_MeansAll()
    {
        AssertBody(new MetadataRequest { Topics = null }, 1, "FFFFFFFF");
        AssertBody(new MetadataRequest { Topics = [new() { Name = "t" }] }, 1, "00000001 0001 74");
    }

    [Fact]
    public void MetadataRequest_V0_CannotEncodeNullTopics()
    {
        Should.Throw<InvalidOperationException>(() => Encode(new MetadataRequest { Topics = null }, 0));
    }

    [Fact]
    public void MetadataRequest_V9_Flexible()
    {
        AssertBody(new MetadataRequest { Topics = [new() { Name = "t" }] }, 9, "02 0274 00 01 00 00 00");
    }

    [Fact]
    public void MetadataResponse_V9_Flexible()
    {
        var response = new MetadataResponse
        {
            Brokers = [new() { NodeId = 1, Host = "h", Port = 9092 }],
            ClusterId = "c",
            ControllerId = 1,
            Topics =
            [
                new()
                {
                    Name = "t",
                    Partitions = [new() { PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 0, ReplicaNodes = [1], IsrNodes = [1] }],
                },
            ],
        };
        AssertBody(response, 9,
            "00000000" +
            "02 00000001 0268 00002384 00 00" +
            "0263 00000001" +
            "02 0000 0274 00 02 0000 00000000 00000001 00000000 02 00000001 02 00000001 01 00 80000000 00" +
            "80000000 00");
    }

    [Fact]
    public void MetadataResponse_V1_HasControllerAndRack()
    {
        var response = new MetadataResponse { Brokers = [new() { NodeId = 1, Host = "h", Port = 9092, Rack = null }], ControllerId = 1 };
        AssertBody(response, 1, "00000001 00000001 0001 68 00002384 FFFF 00000001 00000000");
    }

    private static ProduceRequest OneProduce() => new()
    {
        TransactionalId = null,
        Acks = -1,
        TimeoutMs = 30000,
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, Records = new byte[] { 0xAA, 0xBB, 0xCC } }] }],
    };

    [Fact]
    public void ProduceRequest_V3()
    {
        AssertBody(OneProduce(), 3, "FFFF FFFF 00007530 00000001 0001 74 00000001 00000000 00000003 AABBCC");
    }

    [Fact]
    public void ProduceRequest_V9_Flexible()
    {
        AssertBody(OneProduce(), 9, "00 FFFF 00007530 02 0274 02 00000000 04 AABBCC 00 00 00");
    }

    [Fact]
    public void ProduceRequest_Records_AreZeroCopy_WhenDecodedFromFrame()
    {
        var frame = Hex("0000 0003 00000001 FFFF" + "FFFF FFFF 00007530 00000001 0001 74 00000001 00000000 00000003 AABBCC");
        var request = (ProduceRequest)KafkaCodec.DecodeRequest(frame).Body;
        var records = request.Topics[0].Partitions[0].Records!.Value;
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records, out var segment).ShouldBeTrue();
        segment.Array.ShouldBeSameAs(frame);
    }

    [Fact]
    public void ProduceResponse_V9_Flexible()
    {
        var response = new ProduceResponse
        {
            Responses = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, BaseOffset = 5 }] }],
        };
        AssertBody(response, 9,
            "02 0274 02 00000000 0000 0000000000000005 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF 01 00 00 00 00000000 00");
    }

    private static FetchRequest OneFetch() => new()
    {
        ReplicaId = -1,
        MaxWaitMs = 500,
        MinBytes = 1,
        Topics = [new() { Topic = "t", Partitions = [new() { Partition = 0, FetchOffset = 5, PartitionMaxBytes = 1 << 20 }] }],
    };

    [Fact]
    public void FetchRequest_V4()
    {
        AssertBody(OneFetch(), 4, "FFFFFFFF 000001F4 00000001 7FFFFFFF 00 00000001 0001 74 00000001 00000000 0000000000000005 00100000");
    }

    [Fact]
    public void FetchRequest_V12_Flexible_WithTaggedClusterId()
    {
        var request = OneFetch();
        request.ClusterId = "c";
        AssertBody(request, 12,
            "FFFFFFFF 000001F4 00000001 7FFFFFFF 00 00000000 FFFFFFFF" +
            "02 0274 02 00000000 FFFFFFFF 0000000000000005 FFFFFFFF FFFFFFFFFFFFFFFF 00100000 00 00" +
            "01 01" +
            "01 00 02 0263");
    }

    [Fact]
    public void FetchResponse_V11_NullAbortedTransactions()
    {
        var response = new FetchResponse
        {
            Responses =
            [
                new()
                {
                    Topic = "t",
                    Partitions = [new() { PartitionIndex = 0, HighWatermark = 10, LastStableOffset = 10, LogStartOffset = 0, Records = new byte[] { 0xAA, 0xBB } }],
                },
            ],
        };
        AssertBody(response, 11,
            "00000000 0000 00000000 00000001 0001 74 00000001 00000000 0000" +
            "000000000000000A 000000000000000A 0000000000000000 FFFFFFFF FFFFFFFF 00000002 AABB");
    }

    [Fact]
    public void FetchResponse_V12_TaggedCurrentLeader_AndSegmentedRecords()
    {
        var response = new FetchResponse
        {
            Responses =
            [
                new()
                {
                    Topic = "t",
                    Partitions =
                    [
                        new()
                        {
                            HighWatermark = 1,
                            CurrentLeader = new() { LeaderId = 1, LeaderEpoch = 5 },
                            RecordsSegments = [new byte[] { 0xAA }, new byte[] { 0xBB, 0xCC }],
                        },
                    ],
                },
            ],
        };
        var expected = "00000000 0000 00000000 02 0274 02 00000000 0000 0000000000000001 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF" +
            "00 FFFFFFFF 04 AABBCC 01 01 09 00000001 00000005 00 00 00";
        ToHex(Encode(response, 12)).ShouldBe(ToHex(Hex(expected)));
        var decoded = (FetchResponse)Decode(typeof(FetchResponse), Hex(expected), 12, out _);
        var partition = decoded.Responses[0].Partitions[0];
        partition.CurrentLeader.ShouldNotBeNull().LeaderEpoch.ShouldBe(5);
        partition.Records!.Value.ToArray().ShouldBe(new byte[] { 0xAA, 0xBB, 0xCC });
        partition.DivergingEpoch.ShouldBeNull();
    }

    private static JoinGroupRequest OneJoin() => new()
    {
        GroupId = "g",
        SessionTimeoutMs = 30000,
        RebalanceTimeoutMs = 60000,
        MemberId = string.Empty,
        ProtocolType = "consumer",
        Protocols = [new() { Name = "range", Metadata = new byte[] { 1, 2 } }],
    };

    [Fact]
    public void JoinGroupRequest_V0()
    {
        AssertBody(OneJoin(), 0, "0001 67 00007530 0000 0008 636F6E73756D6572 00000001 0005 72616E6765 00000002 0102");
    }

    [Fact]
    public void JoinGroupRequest_V5_NullGroupInstanceId()
    {
        AssertBody(OneJoin(), 5, "0001 67 00007530 0000EA60 0000 FFFF 0008 636F6E73756D6572 00000001 0005 72616E6765 00000002 0102");
    }

    [Fact]
    public void JoinGroupResponse_V7_Flexible()
    {
        var response = new JoinGroupResponse
        {
            GenerationId = 1,
            ProtocolType = "consumer",
            ProtocolName = "range",
            Leader = "m",
            MemberId = "m",
            Members = [new() { MemberId = "m", Metadata = new byte[] { 1, 2 } }],
        };
        AssertBody(response, 7, "00000000 0000 00000001 09 636F6E73756D6572 06 72616E6765 026D 026D 02 026D 00 03 0102 00 00");
    }

    [Fact]
    public void OffsetCommitRequest_V2_HasRetentionTime()
    {
        var request = new OffsetCommitRequest
        {
            GroupId = "g",
            GenerationId = 1,
            MemberId = "m",
            Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 42, CommittedMetadata = null }] }],
        };
        AssertBody(request, 2, "0001 67 00000001 0001 6D FFFFFFFFFFFFFFFF 00000001 0001 74 00000001 00000000 000000000000002A FFFF");
    }

    [Fact]
    public void OffsetCommitRequest_V8_Flexible()
    {
        var request = new OffsetCommitRequest
        {
            GroupId = "g",
            GenerationId = 1,
            MemberId = "m",
            Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 42, CommittedMetadata = string.Empty }] }],
        };
        AssertBody(request, 8, "0267 00000001 026D 00 02 0274 02 00000000 000000000000002A FFFFFFFF 01 00 00 00");
    }

    [Fact]
    public void SaslHandshake_V1()
    {
        AssertBody(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 1, "0005 504C41494E");
        AssertBody(new SaslHandshakeResponse { Mechanisms = ["PLAIN", "SCRAM-SHA-256"] }, 1,
            "0000 00000002 0005 504C41494E 000D 534352414D2D5348412D323536");
    }

    [Fact]
    public void SaslAuthenticate_V2_Flexible_WithResponseHeaderV1()
    {
        AssertBody(new SaslAuthenticateRequest { AuthBytes = new byte[] { 0, 0x61, 0, 0x62 } }, 2, "05 00610062 00");
        ResponseFrameHex(new SaslAuthenticateResponse(), 2, 3)
            .ShouldBe(ToHex(Hex("00000012 00000003 00" + "0000 00 01 0000000000000000 00")));
    }
}
