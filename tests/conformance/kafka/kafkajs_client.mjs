// kafkajs 2.2.4 against the broker: plain and idempotent producers, a consumer group, SASL.
// usage:
//   node kafkajs_client.mjs produce    BOOTSTRAP TOPIC COUNT [idempotent]
//       sends COUNT keyed messages with a header in batches of 100 (acks=-1), then reads them back with a fresh group;
//       prints {"sent": N, "received": [[partition, offset, key, value, header], ...]}
//   node kafkajs_client.mjs group      BOOTSTRAP TOPIC GROUP COUNT
//       two members share the topic and commit as they go; both are closed, COUNT more are produced and a fresh
//       member of the same group must resume from the committed offsets;
//       prints {"consumed": [[partition, offset, value, member], ...], "resumed": [...]}
//   node kafkajs_client.mjs sasl       BOOTSTRAP TOPIC MECHANISM USER PASSWORD
//       produces and consumes 10 messages authenticated with MECHANISM (plain, scram-sha-256, scram-sha-512);
//       prints {"ok": true, "values": [...]} or {"ok": false, "error": "..."} when the broker refuses
// Any other failure exits non-zero with the error on stderr.
import { Kafka, logLevel } from 'kafkajs';

const [scenario, bootstrap, topic, ...rest] = process.argv.slice(2);
const deadlineMs = 120_000;

function client(extra = {}) {
  return new Kafka({
    clientId: 'meshwork-conformance',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100 },
    ...extra,
  });
}

// Runs consumer.run until `done()` says enough, rejecting on timeout or a crash of the consumer.
function consumeUntil(consumer, onMessage, done, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what()}`)), deadlineMs);
    consumer.on(consumer.events.CRASH, e => { clearTimeout(timer); reject(e.payload.error); });
    consumer.run({
      eachMessage: async payload => {
        onMessage(payload);
        if (done()) { clearTimeout(timer); resolve(); }
      },
    }).catch(e => { clearTimeout(timer); reject(e); });
  });
}

async function produce(kafka, idempotent, from, count) {
  const producer = kafka.producer(idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {});
  await producer.connect();
  for (let start = from; start < from + count; start += 100) {
    const messages = [];
    for (let i = start; i < Math.min(start + 100, from + count); i++) {
      messages.push({ key: `k${i % 101}`, value: `${i}`, headers: { n: `h${i}` } });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

async function produceScenario() {
  const [count, mode] = [Number(rest[0]), rest[1]];
  const kafka = client();
  await produce(kafka, mode === 'idempotent', 0, count);
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const received = [];
  await consumeUntil(consumer,
    ({ partition, message }) => received.push([partition, Number(message.offset), message.key.toString(), message.value.toString(), message.headers.n.toString()]),
    () => received.length >= count, () => `${count} messages, got ${received.length}`);
  // A duplicate, if any, would be delivered by now.
  await new Promise(r => setTimeout(r, 500));
  await consumer.disconnect();
  return { sent: count, received };
}

async function groupScenario() {
  const [group, count] = [rest[0], Number(rest[1])];
  const kafka = client();
  const consumed = [];
  const members = [];
  for (let member = 0; member < 2; member++) {
    const consumer = kafka.consumer({ groupId: group, heartbeatInterval: 500, sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    members.push(consumer);
  }
  // Both members must own partitions before anything is produced, so both really take part: wait until their
  // latest assignments are disjoint, non-empty and cover the topic (an earlier one-member generation owns all).
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length;
  await admin.disconnect();
  const assigned = new Map();
  const joined = new Promise(resolve => {
    members.forEach((consumer, member) => consumer.on(consumer.events.GROUP_JOIN, e => {
      assigned.set(member, new Set(e.payload.memberAssignment[topic] ?? []));
      const sets = [...assigned.values()];
      const union = new Set(sets.flatMap(s => [...s]));
      if (sets.length === 2 && sets.every(s => s.size > 0) && union.size === partitions && sets[0].size + sets[1].size === partitions) resolve();
    }));
  });
  const running = members.map((consumer, member) => consumeUntil(consumer,
    ({ partition, message }) => consumed.push([partition, Number(message.offset), Number(message.value.toString()), member]),
    () => consumed.length >= count, () => `${count} messages in the group, got ${consumed.length}`));
  running.forEach(p => p.catch(() => {}));
  await Promise.race([joined, new Promise((_, reject) => setTimeout(() => reject(new Error('the group never spread over both members')), deadlineMs))]);
  await produce(kafka, false, 0, count);
  await Promise.race(running);
  await new Promise(r => setTimeout(r, 500));
  // disconnect() commits what eachMessage resolved before leaving the group.
  await Promise.all(members.map(m => m.disconnect()));

  await produce(kafka, false, count, count);
  const resumed = [];
  const restarted = kafka.consumer({ groupId: group });
  await restarted.connect();
  await restarted.subscribe({ topics: [topic], fromBeginning: true });
  await consumeUntil(restarted,
    ({ partition, message }) => resumed.push([partition, Number(message.offset), Number(message.value.toString()), 2]),
    () => resumed.length >= count, () => `${count} messages after the restart, got ${resumed.length}`);
  await new Promise(r => setTimeout(r, 500));
  await restarted.disconnect();
  return { consumed, resumed };
}

async function saslScenario() {
  const [mechanism, username, password] = rest;
  const kafka = client({ sasl: { mechanism, username, password }, retry: { retries: 0 } });
  const producer = kafka.producer();
  try {
    await producer.connect();
  } catch (e) {
    return { ok: false, error: `${e.name}: ${e.message}` };
  }
  await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `${mechanism}-${i}` })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-sasl` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const values = [];
  await consumeUntil(consumer, ({ message }) => values.push(message.value.toString()), () => values.length >= 10, () => `10 messages, got ${values.length}`);
  await consumer.disconnect();
  return { ok: true, values };
}

const scenarios = { produce: produceScenario, group: groupScenario, sasl: saslScenario };
if (!scenarios[scenario]) {
  console.error(`unknown scenario '${scenario}'; expected one of ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
console.log(JSON.stringify(await scenarios[scenario]()));
process.exit(0);
