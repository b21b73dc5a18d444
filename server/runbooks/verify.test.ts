import { describe, expect, it } from "vitest";
import { verifyQueueBacklog, verifyThreadLeak } from "./verify";

const pids = (startMs: number, values: number[], limit = 200) =>
  values.map((v, i) => ({ ts: startMs + i * 1000, current: v, effectiveLimit: limit }));

describe("verify: thread leak", () => {
  const o = { sharePercent: 80, minutes: 0.25 };
  it("needs a mitigation first", () => {
    expect(verifyThreadLeak([], null, 0, o).state).toBe("no-action");
  });
  it("passes once threads climb back to a plateau under the share and stay flat for the window", () => {
    const after = pids(1000, [3, 13, 23, 33, 35, ...Array(15).fill(35)]);
    expect(verifyThreadLeak(after.slice(0, 8), 1000, 8000, o).state).toBe("waiting");
    const v = verifyThreadLeak(after, 1000, 20_000, o);
    expect(v).toMatchObject({ state: "pass" });
    expect(v.criterion).toBe(
      "pids under 80% of the effective limit and not rising for 0.25 min after the last mitigation",
    );
  });
  it("fails while the leak keeps climbing, or when above the share", () => {
    expect(
      verifyThreadLeak(
        pids(
          0,
          Array.from({ length: 20 }, (_, i) => 10 + i * 3),
        ),
        0,
        20_000,
        o,
      ),
    ).toMatchObject({ state: "fail", detail: expect.stringContaining("Still rising") });
    expect(verifyThreadLeak(pids(0, Array(20).fill(39), 40), 0, 20_000, o)).toMatchObject({
      state: "fail",
      detail: expect.stringContaining("Above 80%"),
    });
  });
});

describe("verify: queue backlog", () => {
  const o = { minutes: 0.25 };
  const depth = (values: number[]) => values.map((d, i) => ({ ts: i * 1000, depth: d }));
  it("passes when the queue drains with a consumer", () => {
    expect(verifyQueueBacklog(depth([300, 120, 0, ...Array(15).fill(0)]), 1, 0, 17_000, o).state).toBe("pass");
  });
  it("fails without a consumer; waits while still inside the window", () => {
    expect(verifyQueueBacklog(depth(Array(20).fill(300)), 0, 0, 20_000, o)).toMatchObject({
      state: "fail",
      detail: expect.stringContaining("No consumer"),
    });
    expect(verifyQueueBacklog(depth([300, 200]), 1, 0, 2000, o).state).toBe("waiting");
    expect(verifyQueueBacklog(depth([300, 310, 320, 330, ...Array(16).fill(340)]), 1, 0, 20_000, o).state).toBe("fail");
  });
});
