using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Shouldly;

namespace Meshwork.Broker.Tests.Handlers;

public sealed class FetchHandlerTests
{
    [Theory]
    [InlineData((short)4)]
    [InlineData((short)11)]
    [InlineData((short)12)]
    public async Task Fetch_ReturnsEmptyNotNullRecords_AtTheLogEnd(short version)
    {
        await using var kit = await DispatcherTestKit.StartAsync();
        kit.Broker.Logs.CreateTopic("t", 1, new Dictionary<string, string?>());
        var request = new FetchRequest
        {
            MaxWaitMs = 0,
            Topics = [new FetchRequest.FetchTopic { Topic = "t", Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1024 }] }],
        };

        var response = await kit.SendAsync<FetchResponse>(request, version);

        var partition = response.Responses.ShouldHaveSingleItem().Partitions.ShouldHaveSingleItem();
        partition.ErrorCode.ShouldBe(ErrorCode.None);
        // librdkafka 2.0.2 fails the whole fetch with "invalid MessageSetSize -1" on a null record set.
        partition.Records.ShouldNotBeNull();
        partition.Records.Value.Length.ShouldBe(0);
    }
}
