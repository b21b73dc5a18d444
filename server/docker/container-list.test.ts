import { describe, expect, it } from "vitest";
import { containerList, noteEventsConnected, noteListChange } from "./container-list";
import type { ContainerListItem } from "./engine-types";

const item = (id: string): ContainerListItem => ({
  id,
  name: id,
  image: "img",
  state: "running",
  labels: {},
  createdSeconds: 0,
});

function counter() {
  let calls = 0;
  return { list: async () => [item(`c${++calls}`)], calls: () => calls };
}

describe("container list kept by events", () => {
  it("lists on every pass while no events stream is connected", async () => {
    const c = counter();
    await containerList("h1", c.list, 1000);
    await containerList("h1", c.list, 2000);
    expect(c.calls()).toBe(2);
  });

  it("reuses the list while connected, until an event changes it or it is 30 s old", async () => {
    const c = counter();
    noteEventsConnected("h2", true);
    expect((await containerList("h2", c.list, 1000))[0]!.id).toBe("c1");
    expect((await containerList("h2", c.list, 2000))[0]!.id).toBe("c1");
    noteListChange("h2");
    expect((await containerList("h2", c.list, 3000))[0]!.id).toBe("c2");
    expect((await containerList("h2", c.list, 32_999))[0]!.id).toBe("c2");
    expect((await containerList("h2", c.list, 33_000))[0]!.id).toBe("c3");
  });

  it("lists again after the stream drops and reconnects (events may have been missed)", async () => {
    const c = counter();
    noteEventsConnected("h3", true);
    await containerList("h3", c.list, 1000);
    noteEventsConnected("h3", false);
    noteEventsConnected("h3", true);
    await containerList("h3", c.list, 1500);
    expect(c.calls()).toBe(2);
  });

  it("a failed list is not cached", async () => {
    noteEventsConnected("h4", true);
    await expect(
      containerList(
        "h4",
        async () => {
          throw new Error("down");
        },
        1000,
      ),
    ).rejects.toThrow("down");
    const c = counter();
    await containerList("h4", c.list, 1100);
    expect(c.calls()).toBe(1);
  });
});
