#!/usr/bin/python3
"""kafka-python 2.0.2 consumer group across a rebalance, then a restart from committed offsets.

Usage: kafka_python_group.py BOOTSTRAP TOPIC GROUP PER_PHASE
Starts three consumers (threads) in GROUP that commit synchronously after each batch and waits until the group
has spread the topic's partitions over all three; produces PER_PHASE messages, closes one member once every member
has read some (a LeaveGroup rebalance), produces PER_PHASE more, waits until everything is consumed and closes the
rest; then produces PER_PHASE more and a fresh consumer in the same group must resume from the committed offsets.
Prints JSON: {"consumed": [[partition, offset, value, member], ...], "resumed": [...], "errors": [...]};
members 0-2 are the group's first three, member 3 the restarted one.
"""
import json
import sys
import threading
import time

from kafka import KafkaConsumer, KafkaProducer

bootstrap, topic, group, per_phase = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
DEADLINE = time.monotonic() + 150

lock = threading.Lock()
assigned = {}
consumed = []
errors = []


def produce(start, count):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    for i in range(start, start + count):
        producer.send(topic, key=b"k%d" % (i % 97), value=b"%d" % i)
    producer.flush(timeout=60)
    producer.close()


def make_consumer():
    return KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        heartbeat_interval_ms=300,
        session_timeout_ms=10000,
        max_poll_records=50,
    )


def run(consumer, member, stop, sink):
    try:
        while not stop.is_set() and time.monotonic() < DEADLINE:
            batch = consumer.poll(timeout_ms=200)
            with lock:
                assigned[member] = {tp.partition for tp in consumer.assignment()}
            records = [r for rs in batch.values() for r in rs]
            if not records:
                continue
            with lock:
                sink.extend([r.partition, r.offset, int(r.value), member] for r in records)
            # Commit what was processed before polling again, so a rebalance hands over exactly the rest.
            consumer.commit()
    except Exception as e:  # noqa: BLE001 - reported to the test
        errors.append(repr(e))
    finally:
        consumer.close()


def wait_for(predicate, what):
    while time.monotonic() < DEADLINE and not errors:
        if predicate():
            return
        time.sleep(0.1)
    errors.append("gave up waiting until " + what)


def spread_over_three():
    with lock:
        sets = [assigned.get(m, set()) for m in range(3)]
    return all(sets) and sum(len(s) for s in sets) == len(set().union(*sets))


def all_members_read():
    with lock:
        return {r[3] for r in consumed} == {0, 1, 2}


stops = [threading.Event() for _ in range(3)]
threads = []
for member, stop in enumerate(stops):
    t = threading.Thread(target=run, args=(make_consumer(), member, stop, consumed))
    t.start()
    threads.append(t)

# Produce only once all three own partitions, so every member really takes part before one leaves.
wait_for(spread_over_three, "the partitions are spread over all three members")
produce(0, per_phase)
wait_for(lambda: all_members_read() and len(consumed) >= per_phase // 2, "every member has read records")
stops[2].set()  # one member leaves mid-way: its partitions move to the others
threads[2].join()
produce(per_phase, per_phase)
wait_for(lambda: len(consumed) >= 2 * per_phase, "the first two phases are consumed")
time.sleep(1)  # a duplicate, if any, would arrive now
for stop in stops:
    stop.set()
for t in threads:
    t.join()

# A restarted member resumes from the committed offsets: it sees only what was produced after.
produce(2 * per_phase, per_phase)
resumed = []
stop = threading.Event()
t = threading.Thread(target=run, args=(make_consumer(), 3, stop, resumed))
t.start()
wait_for(lambda: len(resumed) >= per_phase, "the restarted member has read the third phase")
time.sleep(1)
stop.set()
t.join()

print(json.dumps({"consumed": consumed, "resumed": resumed, "errors": errors}))
