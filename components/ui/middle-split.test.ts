import { describe, expect, it } from "vitest";
import { middleSplit } from "./middle-split";

describe("middleSplit", () => {
  it("keeps a cgroup path's last segment whole and loses nothing", () => {
    const path = "/sys/fs/cgroup/system.slice/docker.service";
    const { head, tail } = middleSplit(path);
    expect(tail).toBe("/docker.service");
    expect(head + tail).toBe(path);
  });

  it("keeps the last characters of a segment longer than the tail", () => {
    const path = `/system.slice/docker-${"ab12".repeat(16)}.scope`;
    const { head, tail } = middleSplit(path, 16);
    expect(tail).toBe(path.slice(-16));
    expect(head + tail).toBe(path);
  });

  it("shows a short value whole, as tail", () => {
    expect(middleSplit("/", 20)).toEqual({ head: "", tail: "/" });
    expect(middleSplit("3f2a1b9c", 8)).toEqual({ head: "", tail: "3f2a1b9c" });
  });

  it("cuts a container id before its last characters", () => {
    const id = "0123456789abcdef".repeat(4);
    expect(middleSplit(id, 6)).toEqual({ head: id.slice(0, 58), tail: id.slice(58) });
  });
});
