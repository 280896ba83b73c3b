using System.Buffers;
using Meshwork.Kafka.Protocol.Messages;
using Shouldly;
using Xunit;
using static Meshwork.Kafka.Protocol.Tests.TestSupport;

namespace Meshwork.Kafka.Protocol.Tests;

public class FramingAndHeaderTests
{
    private const int MaxFrame = 1024;

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }

    /// <summary>Splits bytes into one segment per byte to exercise the multi-segment paths.</summary>
    private static ReadOnlySequence<byte> Fragmented(byte[] bytes)
    {
        var first = new Segment(bytes.AsMemory(0, 1), null);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = new Segment(bytes.AsMemory(i, 1), last);
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    [Fact]
    public void TryReadFrame_ReturnsFalse_UntilComplete()
    {
        var bytes = Hex("00000003 AABBCC 00000001 DD");
        for (var length = 0; length < 7; length++)
        {
            var partial = new ReadOnlySequence<byte>(bytes, 0, length);
            KafkaFraming.TryReadFrame(ref partial, MaxFrame, out _).ShouldBeFalse();
            partial.Length.ShouldBe(length);
        }

        var buffer = new ReadOnlySequence<byte>(bytes);
        KafkaFraming.TryReadFrame(ref buffer, MaxFrame, out var frame).ShouldBeTrue();
        ToHex(frame.ToArray()).ShouldBe("AABBCC");
        KafkaFraming.TryReadFrame(ref buffer, MaxFrame, out frame).ShouldBeTrue();
        ToHex(frame.ToArray()).ShouldBe("DD");
        buffer.Length.ShouldBe(0);
    }

    [Fact]
    public void TryReadFrame_Works_AcrossSegments()
    {
        var buffer = Fragmented(Hex("00000002 ABCD"));
        KafkaFraming.TryReadFrame(ref buffer, MaxFrame, out var frame).ShouldBeTrue();
        ToHex(frame.ToArray()).ShouldBe("ABCD");
    }

    [Theory]
    [InlineData("FFFFFFFF")]
    [InlineData("80000000")]
    [InlineData("16030100")]
    [InlineData("47455420")]
    public void TryReadFrame_Throws_OnNegativeOrAbsurdSize(string prefix)
    {
        var buffer = new ReadOnlySequence<byte>(Hex(prefix + "00"));
        Should.Throw<KafkaProtocolException>(() => KafkaFraming.TryReadFrame(ref buffer, MaxFrame, out _));
    }

    [Fact]
    public void RequestHeader_V1_WithNullClientId_RoundTrips()
    {
        var frame = Hex("0003 0001 0000002A FFFF FFFFFFFF");
        var request = KafkaCodec.DecodeRequest(frame);
        request.Header.ApiKey.ShouldBe(ApiKey.Metadata);
        request.Header.ApiVersion.ShouldBe((short)1);
        request.Header.CorrelationId.ShouldBe(42);
        request.Header.ClientId.ShouldBeNull();
        ((MetadataRequest)request.Body).Topics.ShouldBeNull();
    }

    [Fact]
    public void RequestHeader_V2_SkipsUnknownTaggedFields()
    {
        // Metadata v9 header v2 with one unknown header tag, then an empty flexible body.
        var frame = Hex("0003 0009 00000007 0001 63 01 07 01 AA" + "01 01 00 00 00");
        var request = KafkaCodec.DecodeRequest(frame);
        request.Header.ClientId.ShouldBe("c");
        var body = (MetadataRequest)request.Body;
        body.Topics.ShouldNotBeNull().ShouldBeEmpty();
        body.AllowAutoTopicCreation.ShouldBeTrue();
    }

    [Fact]
    public void RequestHeader_Throws_OnUnknownApiKey_WithCorrelationId()
    {
        var ex = Should.Throw<KafkaProtocolException>(() => KafkaCodec.DecodeRequest(Hex("0063 0000 00000009 0000")));
        ex.CorrelationId.ShouldBe(9);
        ex.ErrorCode.ShouldBe(ErrorCode.InvalidRequest);
    }

    [Fact]
    public void DecodeRequest_Throws_UnsupportedVersion_WithHeader()
    {
        // Fetch v3 is below the advertised floor of 4.
        var ex = Should.Throw<KafkaProtocolException>(() => KafkaCodec.DecodeRequest(Hex("0001 0003 00000005 0000")));
        ex.ErrorCode.ShouldBe(ErrorCode.UnsupportedVersion);
        ex.Header.ShouldNotBeNull().ApiKey.ShouldBe(ApiKey.Fetch);
        ex.CorrelationId.ShouldBe(5);
    }

    [Fact]
    public void ApiVersionsV4_ParsesHeader_AndFallsBackToV0Answer()
    {
        // KIP-511: a too-new ApiVersions request is answered in v0 with UNSUPPORTED_VERSION and the full key list.
        var frame = Hex("0012 0004 0000000B 0001 6B 00" + "04 6C6962 04 312E30 00");
        var ex = Should.Throw<KafkaProtocolException>(() => KafkaCodec.DecodeRequest(frame));
        ex.ErrorCode.ShouldBe(ErrorCode.UnsupportedVersion);
        ex.Header!.ApiKey.ShouldBe(ApiKey.ApiVersions);

        var response = KafkaCodec.CreateApiVersionsResponse(ErrorCode.UnsupportedVersion);
        using var output = new PooledBufferWriter();
        KafkaCodec.WriteResponse(output, ex.Header.CorrelationId, 0, response);
        var decoded = (ApiVersionsResponse)KafkaCodec.DecodeResponse(output.WrittenMemory[4..], ApiKey.ApiVersions, 0, out var correlationId);
        correlationId.ShouldBe(11);
        decoded.ErrorCode.ShouldBe(ErrorCode.UnsupportedVersion);
        decoded.ApiKeys.Count.ShouldBe(ApiVersionTable.All.Count);
    }

    [Fact]
    public void ResponseHeaderVersion_IsZeroForApiVersions_AndOneForFlexibleBodies()
    {
        ApiVersionTable.ResponseHeaderVersion(ApiKey.ApiVersions, 3).ShouldBe((short)0);
        ApiVersionTable.ResponseHeaderVersion(ApiKey.Metadata, 9).ShouldBe((short)1);
        ApiVersionTable.ResponseHeaderVersion(ApiKey.Metadata, 8).ShouldBe((short)0);
        ApiVersionTable.RequestHeaderVersion(ApiKey.ApiVersions, 3).ShouldBe((short)2);
        ApiVersionTable.RequestHeaderVersion(ApiKey.SaslHandshake, 1).ShouldBe((short)1);
    }

    [Fact]
    public void VersionTable_MatchesKafkaWireRecommendation()
    {
        var expected = new Dictionary<ApiKey, (short Min, short Max, short Flex)>
        {
            [ApiKey.Produce] = (0, 9, 9),
            [ApiKey.Fetch] = (4, 12, 12),
            [ApiKey.ListOffsets] = (0, 7, 6),
            [ApiKey.Metadata] = (0, 12, 9),
            [ApiKey.OffsetCommit] = (0, 8, 8),
            [ApiKey.OffsetFetch] = (0, 7, 6),
            [ApiKey.FindCoordinator] = (0, 3, 3),
            [ApiKey.JoinGroup] = (0, 7, 6),
            [ApiKey.Heartbeat] = (0, 4, 4),
            [ApiKey.LeaveGroup] = (0, 4, 4),
            [ApiKey.SyncGroup] = (0, 5, 4),
            [ApiKey.DescribeGroups] = (0, 5, 5),
            [ApiKey.ListGroups] = (0, 4, 3),
            [ApiKey.SaslHandshake] = (0, 1, ApiVersionRange.NeverFlexible),
            [ApiKey.ApiVersions] = (0, 3, 3),
            [ApiKey.CreateTopics] = (0, 5, 5),
            [ApiKey.DeleteTopics] = (0, 4, 4),
            [ApiKey.DeleteRecords] = (0, 2, 2),
            [ApiKey.InitProducerId] = (0, 4, 2),
            [ApiKey.DescribeConfigs] = (0, 4, 4),
            [ApiKey.AlterConfigs] = (0, 2, 2),
            [ApiKey.SaslAuthenticate] = (0, 2, 2),
            [ApiKey.CreatePartitions] = (0, 3, 2),
            [ApiKey.DeleteGroups] = (0, 2, 2),
            [ApiKey.IncrementalAlterConfigs] = (0, 1, 1),
            [ApiKey.OffsetDelete] = (0, 0, ApiVersionRange.NeverFlexible),
        };
        ApiVersionTable.All.Count.ShouldBe(expected.Count);
        foreach (var range in ApiVersionTable.All)
        {
            (range.MinVersion, range.MaxVersion, range.FirstFlexibleVersion).ShouldBe(expected[range.ApiKey], range.ApiKey.ToString());
        }

        Enum.GetValues<ApiKey>().Length.ShouldBe(expected.Count);
    }
}
