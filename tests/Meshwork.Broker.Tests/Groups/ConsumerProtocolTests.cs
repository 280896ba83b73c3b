using Meshwork.Broker.Groups;
using Shouldly;

namespace Meshwork.Broker.Tests.Groups;

public sealed class ConsumerProtocolTests
{
    [Fact]
    public void TryReadSubscribedTopics_Subscription_ReturnsTopics()
    {
        ConsumerProtocol.TryReadSubscribedTopics(GroupTestKit.Subscription("a", "bé")).ShouldBe(["a", "bé"]);
        ConsumerProtocol.TryReadSubscribedTopics(GroupTestKit.Subscription()).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0x7F, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 1, 0, 5, 97 })]
    public void TryReadSubscribedTopics_Malformed_ReturnsNull(byte[] metadata)
    {
        ConsumerProtocol.TryReadSubscribedTopics(metadata).ShouldBeNull();
    }

    [Fact]
    public void TryReadSubscribedTopics_RandomBytes_NeverThrows()
    {
        var random = new Random(42);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            _ = ConsumerProtocol.TryReadSubscribedTopics(bytes);
        }
    }
}
