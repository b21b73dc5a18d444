// Entry point of the production console: Next's standalone server, plus the peer address of each connection.
// Next keeps a client-sent X-Forwarded-For as it is, so it cannot tell who connected; this stamps the socket's
// address into x-leakwatch-peer (overwriting anything a client sent under that name) before Next sees the request.
// Login throttling per address and trusted-proxy sign-in read only this header.
import http from "node:http";

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === "request") {
    const req = args[0];
    req.headers["x-leakwatch-peer"] = req.socket?.remoteAddress ?? "";
  }
  return emit.call(this, event, ...args);
};

await import("./server.js");
