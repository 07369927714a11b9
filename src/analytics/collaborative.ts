/**
 * User-based collaborative filtering over per-user skill counts.
 *
 * A user's profile is the set of skills they used successfully at least once.
 * Neighbours are the users whose profile has the highest Jaccard similarity
 * with the target's; a skill the target has never invoked is scored by how
 * well the neighbours (weighted by similarity) succeed with it. Output never
 * contains another user's hash: only counts and rates. With
 * `minSupportingUsers` (k), a skill is recommended only when at least k
 * neighbours used it successfully: naming it, and its figures (which cover
 * every neighbour who invoked it), then describe no fewer than k people.
 *
 * `UserSkillIndex` keeps per-user counts plus an inverted index
 * skill -> users-with-a-success, so a query touches only the users who share
 * at least one successful skill with the target, and the index can be kept in
 * memory and updated per invocation.
 */
import { AppError } from '../errors.js';
import type { UserSkillStat } from './types.js';

interface SkillRecommendation {
  skill_name: string;
  /** Similarity-weighted neighbour success rate, normalised to [0, 1]. */
  score: number;
  /** Number of neighbours who used the skill successfully. */
  supporting_users: number;
  /** Successes / invocations of the skill over all neighbours who invoked it. */
  neighbor_success_rate: number;
}

export interface RecommendationResult {
  recommendations: SkillRecommendation[];
  neighbors_considered: number;
  /** Number of skills the target used successfully. */
  target_skill_count: number;
  /** Present only when `recommendations` is empty. */
  reason?: string;
}

export interface RecommendOptions {
  /** Neighbours must have similarity strictly greater than this; default 0. */
  minSimilarity?: number;
  /** At most this many most-similar users are used; default 50. */
  maxNeighbors?: number;
  /** A skill is recommended only when at least this many neighbours used it successfully (k); default 1. */
  minSupportingUsers?: number;
}

export interface InvocationDelta {
  user: string;
  skill: string;
  completed: boolean;
  /** invoked_at (epoch ms); keeps `lastAt` current when given. */
  at?: number;
}

interface Counts {
  invocations: number;
  successes: number;
  lastAt: number;
}

export const REASON_NO_SUCCESSES = 'user has no successful invocations';
export const REASON_NO_NEIGHBOURS = 'no similar users';
export const REASON_NOTHING_NEW = 'similar users use no skill this user has not tried';

/** The reason of an empty answer under k > 1 (whether nothing is new or what is new has fewer than k supporters). */
export function reasonNothingNewForK(minSupportingUsers: number): string {
  return `no skill this user has not tried is used successfully by at least ${minSupportingUsers} similar users`;
}

export class UserSkillIndex {
  private readonly skillIds = new Map<string, number>();
  private readonly skillNames: string[] = [];
  private readonly userIds = new Map<string, number>();
  private readonly userNames: string[] = [];
  /** Per user: skill id -> counts. */
  private readonly counts: Map<number, Counts>[] = [];
  /** Per user: ids of skills with successes > 0. */
  private readonly successful: Set<number>[] = [];
  /** Per skill: ids of users with successes > 0. */
  private readonly successfulUsers: Set<number>[] = [];
  /** Per user: bitset of the skills with successes > 0. */
  private readonly bits: Uint32Array[] = [];
  /** Per user: position of the hash in sorted order (tie-breaking); rebuilt after users are added. */
  private ranks: Int32Array | null = null;

  /** Number of users known to the index. */
  get userCount(): number {
    return this.userNames.length;
  }

  /** Sets the absolute counts of one (user, skill) row, e.g. when loading `user_skill_stats`. */
  add(stat: UserSkillStat): void {
    const u = this.userId(stat.user);
    const s = this.skillId(stat.skill);
    this.counts[u]!.set(s, { invocations: stat.invocations, successes: stat.successes, lastAt: stat.lastAt });
    this.syncSuccess(u, s, stat.successes > 0);
  }

  /** Adds one recorded invocation to the counts. */
  update(delta: InvocationDelta): void {
    const u = this.userId(delta.user);
    const s = this.skillId(delta.skill);
    const userCounts = this.counts[u]!;
    const c = userCounts.get(s) ?? { invocations: 0, successes: 0, lastAt: 0 };
    c.invocations += 1;
    if (delta.completed) c.successes += 1;
    if (delta.at !== undefined && delta.at > c.lastAt) c.lastAt = delta.at;
    userCounts.set(s, c);
    this.syncSuccess(u, s, c.successes > 0);
  }

  /** The skills `user` has invoked at least once (none for an unknown user). */
  invokedSkills(user: string): Set<string> {
    const u = this.userIds.get(user);
    const out = new Set<string>();
    if (u === undefined) return out;
    for (const [s, c] of this.counts[u]!) if (c.invocations > 0) out.add(this.skillNames[s]!);
    return out;
  }

  recommend(target: string, limit: number, options: RecommendOptions = {}): RecommendationResult {
    if (!Number.isInteger(limit) || limit < 1) throw AppError.invalid('limit', 'must be an integer >= 1');
    const minSimilarity = options.minSimilarity ?? 0;
    if (!(minSimilarity >= 0 && minSimilarity < 1)) throw AppError.invalid('min_similarity', 'must be in [0, 1)');
    const maxNeighbors = options.maxNeighbors ?? 50;
    if (!Number.isInteger(maxNeighbors) || maxNeighbors < 1) {
      throw AppError.invalid('max_neighbors', 'must be an integer >= 1');
    }
    const minSupporting = options.minSupportingUsers ?? 1;
    if (!Number.isInteger(minSupporting) || minSupporting < 1) {
      throw AppError.invalid('min_supporting_users', 'must be an integer >= 1');
    }

    const t = this.userIds.get(target);
    const targetSet = t === undefined ? undefined : this.successful[t]!;
    if (t === undefined || targetSet!.size === 0) {
      return { recommendations: [], neighbors_considered: 0, target_skill_count: 0, reason: REASON_NO_SUCCESSES };
    }
    const targetCounts = this.counts[t]!;
    const targetSize = targetSet!.size;

    // Intersection sizes with every user sharing at least one successful skill.
    // Intersection sizes with every user sharing a successful skill: from the inverted index when its
    // postings are fewer than the users, else by a popcount of the AND of the success bitsets.
    const rank = this.hashRanks();
    const neighbours: { user: number; similarity: number; rank: number }[] = [];
    const consider = (u: number, inter: number): void => {
      const similarity = inter / (targetSize + this.successful[u]!.size - inter);
      if (similarity > minSimilarity) neighbours.push({ user: u, similarity, rank: rank[u]! });
    };
    let postings = 0;
    for (const s of targetSet!) postings += this.successfulUsers[s]!.size;
    if (postings < this.bits.length) {
      const intersections = new Map<number, number>();
      for (const s of targetSet!) {
        for (const u of this.successfulUsers[s]!) {
          if (u !== t) intersections.set(u, (intersections.get(u) ?? 0) + 1);
        }
      }
      for (const [u, inter] of intersections) consider(u, inter);
    } else {
      const targetBits = this.bits[t]!;
      for (let u = 0; u < this.bits.length; u++) {
        if (u === t) continue;
        const ub = this.bits[u]!;
        const words = Math.min(ub.length, targetBits.length);
        let inter = 0;
        for (let w = 0; w < words; w++) inter += popcount(targetBits[w]! & ub[w]!);
        if (inter > 0) consider(u, inter);
      }
    }
    // Ties broken by hash so the choice of neighbours is deterministic.
    neighbours.sort((a, b) => b.similarity - a.similarity || a.rank - b.rank);
    neighbours.length = Math.min(neighbours.length, maxNeighbors);
    if (neighbours.length === 0) {
      return { recommendations: [], neighbors_considered: 0, target_skill_count: targetSize, reason: REASON_NO_NEIGHBOURS };
    }

    let similaritySum = 0;
    const perSkill = new Map<number, { weighted: number; supporting: number; invocations: number; successes: number }>();
    for (const { user, similarity } of neighbours) {
      similaritySum += similarity;
      for (const [s, c] of this.counts[user]!) {
        if (c.invocations <= 0) continue;
        if ((targetCounts.get(s)?.invocations ?? 0) > 0) continue; // the target already tried it
        const acc = perSkill.get(s) ?? { weighted: 0, supporting: 0, invocations: 0, successes: 0 };
        acc.invocations += c.invocations;
        acc.successes += c.successes;
        if (c.successes > 0) {
          acc.weighted += similarity * (c.successes / c.invocations);
          acc.supporting += 1;
        }
        perSkill.set(s, acc);
      }
    }

    const recommendations: SkillRecommendation[] = [];
    for (const [s, acc] of perSkill) {
      if (acc.supporting < minSupporting) continue;
      recommendations.push({
        skill_name: this.skillNames[s]!,
        score: acc.weighted / similaritySum,
        supporting_users: acc.supporting,
        neighbor_success_rate: acc.successes / acc.invocations,
      });
    }
    recommendations.sort((a, b) => b.score - a.score || b.supporting_users - a.supporting_users || compareStrings(a.skill_name, b.skill_name));
    recommendations.length = Math.min(recommendations.length, limit);

    const result: RecommendationResult = {
      recommendations,
      neighbors_considered: neighbours.length,
      target_skill_count: targetSize,
    };
    // Under k > 1 the reason does not tell whether something was withheld (that would say a neighbour uses it).
    if (recommendations.length === 0) result.reason = minSupporting > 1 ? reasonNothingNewForK(minSupporting) : REASON_NOTHING_NEW;
    return result;
  }

  private userId(user: string): number {
    let id = this.userIds.get(user);
    if (id === undefined) {
      id = this.userNames.length;
      this.userIds.set(user, id);
      this.userNames.push(user);
      this.counts.push(new Map());
      this.successful.push(new Set());
      this.bits.push(new Uint32Array(0));
      this.ranks = null;
    }
    return id;
  }

  private skillId(skill: string): number {
    let id = this.skillIds.get(skill);
    if (id === undefined) {
      id = this.skillNames.length;
      this.skillIds.set(skill, id);
      this.skillNames.push(skill);
      this.successfulUsers.push(new Set());
    }
    return id;
  }

  private syncSuccess(u: number, s: number, succeeded: boolean): void {
    const word = s >>> 5;
    let b = this.bits[u]!;
    if (succeeded) {
      this.successful[u]!.add(s);
      this.successfulUsers[s]!.add(u);
      if (word >= b.length) {
        const grown = new Uint32Array(word + 1);
        grown.set(b);
        this.bits[u] = b = grown;
      }
      b[word] = b[word]! | (1 << (s & 31));
    } else {
      this.successful[u]!.delete(s);
      this.successfulUsers[s]!.delete(u);
      if (word < b.length) b[word] = b[word]! & ~(1 << (s & 31));
    }
  }

  private hashRanks(): Int32Array {
    if (this.ranks === null) {
      const order = this.userNames.map((_, i) => i).sort((a, b) => compareStrings(this.userNames[a]!, this.userNames[b]!));
      this.ranks = new Int32Array(order.length);
      order.forEach((u, r) => {
        this.ranks![u] = r;
      });
    }
    return this.ranks;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface RecommendSkillsInput extends RecommendOptions {
  /** Salted hash of the user to recommend for. */
  target: string;
  /** `user_skill_stats` rows of all users. */
  stats: readonly UserSkillStat[];
  limit: number;
}

/** One-shot recommendation: builds a `UserSkillIndex` from the rows and queries it. */
export function recommendSkills(input: RecommendSkillsInput): RecommendationResult {
  const index = new UserSkillIndex();
  for (const stat of input.stats) index.add(stat);
  const options: RecommendOptions = {};
  if (input.minSimilarity !== undefined) options.minSimilarity = input.minSimilarity;
  if (input.maxNeighbors !== undefined) options.maxNeighbors = input.maxNeighbors;
  if (input.minSupportingUsers !== undefined) options.minSupportingUsers = input.minSupportingUsers;
  return index.recommend(input.target, input.limit, options);
}
