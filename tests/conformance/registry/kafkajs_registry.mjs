// Drives our schema registry and broker with kafkajs 2.2.4 and @kafkajs/confluent-schema-registry (avsc inside).
// usage: node kafkajs_registry.mjs <registry-url> <bootstrap> <topic>
// Prints JSON: the schema id, what was sent, and what was consumed and decoded.
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const [url, bootstrap, topic] = process.argv.slice(2);
const registry = new SchemaRegistry({ host: url });
const schema = {
  type: 'record', name: 'Milestone', namespace: 'mesh.projects',
  fields: [
    { name: 'milestoneId', type: 'string' },
    { name: 'projectId', type: 'string' },
    { name: 'due', type: { type: 'int', logicalType: 'date' } },
    { name: 'done', type: 'boolean' },
    { name: 'owner', type: ['null', 'string'], default: null },
  ],
};
const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: `${topic}-value` });
const latestId = await registry.getLatestSchemaId(`${topic}-value`);

const kafka = new Kafka({ clientId: 'meshwork-conformance', brokers: [bootstrap], logLevel: logLevel.ERROR });
const producer = kafka.producer();
await producer.connect();
const sent = [];
for (let i = 0; i < 40; i++) {
  sent.push({ milestoneId: `m-${i}`, projectId: `p-${i % 5}`, due: 20000 + i, done: i % 3 === 0, owner: i % 2 ? `owner-${i}` : null });
}
const messages = [];
for (const value of sent) {
  messages.push({ key: value.milestoneId, value: await registry.encode(id, value) });
}
await producer.send({ topic, messages });
await producer.disconnect();

const consumer = kafka.consumer({ groupId: `${topic}-group` });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
const received = [];
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`timed out with ${received.length} of ${sent.length} messages`)), 60000);
  consumer.run({
    eachMessage: async ({ message }) => {
      received.push(await registry.decode(message.value));
      if (received.length >= sent.length) { clearTimeout(timer); resolve(); }
    },
  }).catch(reject);
});
await consumer.disconnect();
console.log(JSON.stringify({ id, latestId, sent, received }));
