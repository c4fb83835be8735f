package io.taskservice.dashboard;

/**
 * The last {@code capacity} changes seen, each a task id, its creation time and a status: tells a
 * change seen before from a new one in one probe of a primitive hash table, with no object per
 * change (a map of records cost a tenth of a node's CPU under bulk creates). When full, the oldest
 * change is forgotten. Not thread-safe.
 */
final class RecentChanges {
  private final long[] ids;
  private final long[] created;
  private final byte[] statuses;
  // open addressing, linear probing: ring index + 1 of the change in each slot, 0 when empty
  private final int[] slots;
  private final int mask;
  private int next;
  private int size;

  RecentChanges(int capacity) {
    ids = new long[capacity];
    created = new long[capacity];
    statuses = new byte[capacity];
    int tableSize = Integer.highestOneBit(capacity * 2 - 1) << 1;
    slots = new int[tableSize];
    mask = tableSize - 1;
  }

  /** Remembers the change; false when it is among the last {@code capacity} seen already. */
  boolean add(long id, long createdNanos, int status) {
    int slot = home(id, createdNanos, status);
    for (int entry = slots[slot]; entry != 0; entry = slots[slot]) {
      int i = entry - 1;
      if (ids[i] == id && created[i] == createdNanos && statuses[i] == status) {
        return false;
      }
      slot = (slot + 1) & mask;
    }
    if (size == ids.length) {
      forget(next);
    } else {
      size++;
    }
    ids[next] = id;
    created[next] = createdNanos;
    statuses[next] = (byte) status;
    // probed again: forgetting the oldest may have freed a slot nearer home
    slot = home(id, createdNanos, status);
    while (slots[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    slots[slot] = next + 1;
    next = next + 1 == ids.length ? 0 : next + 1;
    return true;
  }

  /** Takes ring entry {@code i} out of the table, moving later entries of its run back. */
  private void forget(int i) {
    int slot = home(ids[i], created[i], statuses[i]);
    while (slots[slot] != i + 1) {
      slot = (slot + 1) & mask;
    }
    int gap = slot;
    for (slot = (slot + 1) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
      int j = slots[slot] - 1;
      int home = home(ids[j], created[j], statuses[j]);
      // the entry may move into the gap unless its home lies cyclically after the gap, up to it
      if (((slot - home) & mask) >= ((slot - gap) & mask)) {
        slots[gap] = slots[slot];
        gap = slot;
      }
    }
    slots[gap] = 0;
  }

  private int home(long id, long createdNanos, int status) {
    long h = (id * 0x9E3779B97F4A7C15L) ^ (createdNanos * 0xC2B2AE3D27D4EB4FL) ^ status;
    h ^= h >>> 29;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
