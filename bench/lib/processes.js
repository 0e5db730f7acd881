// Processes for the benchmark: free loopback ports, CPU and memory from /proc, starting a service
// and waiting for it, stopping it, and CPU pinning with util-linux taskset. Linux only.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const net = require('node:net');

const TICKS = 100; // /proc clock ticks per second (USER_HZ)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** User plus system CPU of a process and all its threads, in clock ticks. */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/**
 * Busy ticks of the whole machine, all CPUs, from the first line of /proc/stat: everything but
 * idle and iowait (steal, time the hypervisor gave to other guests, counts as busy).
 */
function machineBusyTicks() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number); // skips idle, iowait
  return user + nice + system + irq + softirq + steal;
}

function statusMb(pid, field) {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined; // the process is gone
  }
}
const rssMb = (pid) => statusMb(pid, 'VmRSS');
const peakRssMb = (pid) => statusMb(pid, 'VmHWM');

/** Polls `url` until it answers 2xx; throws with the child's exit status if it dies first. */
async function waitHealthy(url, child, name, tries = 150) {
  for (let i = 0; i < tries; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it answered ${url}`);
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${name} did not answer ${url}`);
}

/**
 * Spawns a long-running service whose stdout is a pipe that is read and dropped (as under a
 * container runtime: a pipe nobody reads would block the service once it fills). Its stderr is
 * passed through, so a crash says why.
 */
function spawnService(name, command, argv, options) {
  const child = spawn(command, argv, { ...options, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', () => {});
  return { name, child, pid: child.pid };
}

/** SIGTERM, then wait for the exit (SIGKILL after `graceMs`). */
function stopService(service, graceMs = 15000) {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const hasTaskset = () => spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

/** The CPU list a process may run on, as taskset prints it ("0,1" or "0-1"). */
function affinity(pid) {
  const out = spawnSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`taskset -p ${pid}: ${out.stderr.trim()}`);
  return out.stdout.trim().split(': ').pop();
}

/** Pins every thread of a running process to a CPU list (`taskset -a -c -p`). */
function pin(pid, cpus) {
  const out = spawnSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`taskset -a -c -p ${cpus} ${pid}: ${out.stderr.trim()}`);
}

module.exports = { TICKS, sleep, freePort, cpuTicks, machineBusyTicks, rssMb, peakRssMb, waitHealthy, spawnService, stopService, hasTaskset, affinity, pin };
