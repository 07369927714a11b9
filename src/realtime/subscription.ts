/**
 * What one WebSocket client wants pushed: which skills ("*" for all) on which
 * channels. Clients with equal subscriptions share one `key`, so the hub
 * builds and serialises each distinct message once per push, not per client.
 */
import { CHANNELS, type Channel } from './ws-protocol.js';

export interface Subscription {
  /** null means every skill. */
  skills: ReadonlySet<string> | null;
  channels: ReadonlySet<Channel>;
  /** Equal for equal skill selections (order of names does not matter). */
  skillsKey: string;
  /** Equal for equal subscriptions (skills and channels). */
  key: string;
}

export function makeSubscription(skills: '*' | readonly string[], channels: readonly Channel[] = CHANNELS): Subscription {
  const skillSet = skills === '*' ? null : new Set(skills);
  const channelSet = new Set(channels);
  const skillKey = skillSet === null ? '*' : JSON.stringify([...skillSet].sort());
  const channelKey = CHANNELS.filter((c) => channelSet.has(c)).join(',');
  return { skills: skillSet, channels: channelSet, skillsKey: skillKey, key: `${channelKey}|${skillKey}` };
}

/** The subscription as echoed to the client. */
export function describeSubscription(sub: Subscription): { skills: '*' | string[]; channels: Channel[] } {
  return {
    skills: sub.skills === null ? '*' : [...sub.skills].sort(),
    channels: CHANNELS.filter((c) => sub.channels.has(c)),
  };
}
