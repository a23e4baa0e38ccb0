/** What the pod measures beside the monitor's counters: gauges read at each publish, null when unknown. */
export interface PodGauges {
  /** socket.io connections open on this pod (chatpop_sockets_connected) */
  sockets_connected: number | null;
  /** chats waiting on the shared repair queue */
  repair_queue: number | null;
  /** Redis's memory (INFO memory); null without Redis or when it does not answer */
  redis: RedisMemory | null;
}

export interface RedisMemory {
  used_memory_bytes: number;
  /** 0: no limit */
  maxmemory_bytes: number;
  /** maxmemory-policy, e.g. `allkeys-lru`, `noeviction` */
  eviction_policy: string;
}
