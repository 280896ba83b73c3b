using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;
using Shouldly;
using Xunit;
using static Meshwork.Kafka.Protocol.Tests.TestSupport;

namespace Meshwork.Kafka.Protocol.Tests;

public class LegacyAndSemanticsTests
{
    [Fact]
    public void ProduceV2_Decodes_ButItsMagic1RecordsAreRejected()
    {
        // Produce v0-v2 stay advertised for librdkafka's compression check; their message sets are magic 0/1.
        var legacy = Hex("0000000000000000 00000016 00000000 01 00 0000000000000000 FFFFFFFF FFFFFFFF");
        var request = new ProduceRequest
        {
            Acks = ProduceRequest.AcksLeader,
            TimeoutMs = 1000,
            Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, Records = legacy }] }],
        };
        var decoded = (ProduceRequest)KafkaCodec.DecodeRequest(RequestFrame(request, 2)).Body;
        decoded.ExpectsNoResponse.ShouldBeFalse();
        var records = decoded.Topics[0].Partitions[0].Records!.Value;
        var ex = Should.Throw<KafkaProtocolException>(() => RecordBatch.ReadRecords(records));
        ex.ErrorCode.ShouldBe(ErrorCode.UnsupportedForMessageFormat);
        (2 < ApiVersionTable.FirstImplementedProduceVersion).ShouldBeTrue();
    }

    [Fact]
    public void ProduceV3_CarriesBatchV2_ThatParses()
    {
        var batch = new RecordBatchBuilder().Add(1, null, new byte[] { 42 }).Build();
        var request = new ProduceRequest
        {
            Acks = ProduceRequest.AcksAll,
            Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, Records = batch }] }],
        };
        var decoded = (ProduceRequest)KafkaCodec.DecodeRequest(RequestFrame(request, 3)).Body;
        var records = RecordBatch.ReadRecords(decoded.Topics[0].Partitions[0].Records!.Value);
        records.Single().Value!.Value.ToArray().ShouldBe(new byte[] { 42 });
    }

    [Fact]
    public void RequestHeader_ExplicitV0_HasNoClientId()
    {
        using var buffer = new PooledBufferWriter();
        new RequestHeader { ApiKey = ApiKey.Metadata, ApiVersion = 0, CorrelationId = 3, ClientId = "ignored" }
            .Write(new KafkaWriter(buffer), RequestHeader.InitialVersion);
        ToHex(buffer.WrittenSpan).ShouldBe("0003000000000003");
        var reader = new KafkaReader(buffer.WrittenSpan);
        var header = RequestHeader.Read(ref reader, RequestHeader.InitialVersion);
        header.CorrelationId.ShouldBe(3);
        header.ClientId.ShouldBeNull();
        reader.End.ShouldBeTrue();
    }

    [Fact]
    public void MetadataRequest_AllTopicsConvention_DependsOnVersion()
    {
        new MetadataRequest { Topics = [] }.RequestsAllTopics(0).ShouldBeTrue();
        new MetadataRequest { Topics = [] }.RequestsAllTopics(1).ShouldBeFalse();
        new MetadataRequest { Topics = null }.RequestsAllTopics(1).ShouldBeTrue();
        new OffsetFetchRequest { Topics = null }.RequestsAllTopics.ShouldBeTrue();
    }

    [Fact]
    public void ApiVersionsResponse_ListsEveryApi_InKeyOrder()
    {
        var response = KafkaCodec.CreateApiVersionsResponse();
        response.ApiKeys.Select(k => k.ApiKey).ShouldBe(response.ApiKeys.Select(k => k.ApiKey).Order());
        var produce = response.ApiKeys.Single(k => k.ApiKey == (short)ApiKey.Produce);
        produce.MinVersion.ShouldBe((short)0);
        produce.MaxVersion.ShouldBe((short)9);
        response.ApiKeys.Single(k => k.ApiKey == (short)ApiKey.SaslHandshake).MinVersion.ShouldBe((short)0);
    }
}
