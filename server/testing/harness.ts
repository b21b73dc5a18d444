// test-only: the one import for integration and e2e tests that need live fixtures
// (leaker containers, pids cgroups, Celery workers and producers, the test Redis).
export * from "./proc";
export * from "./docker-fixtures";
export * from "./celery-fixtures";
