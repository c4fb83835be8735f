#!/usr/bin/env python3
"""A TCP proxy between the soak's nodes and PostgreSQL whose link can be cut.

SIGUSR1 cuts the link for --cut-seconds: nothing is forwarded in either direction and new
connections are accepted but not served, as when a cable is pulled; then everything that waited
goes through (TCP would retransmit it), unless a side gave up meanwhile. Standard library only.
"""
import argparse
import asyncio
import signal
import time

cut_until = 0.0


async def wait_link():
    while time.monotonic() < cut_until:
        await asyncio.sleep(0.05)


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await wait_link()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except (ConnectionError, OSError):
            pass


async def serve(args):
    async def handle(client_reader, client_writer):
        await wait_link()
        try:
            server_reader, server_writer = await asyncio.open_connection(args.target_host, args.target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(handle, "127.0.0.1", args.port, backlog=1024)

    def cut():
        global cut_until
        cut_until = time.monotonic() + args.cut_seconds
        print(f"link cut for {args.cut_seconds} s", flush=True)

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, cut)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--target-host", default="127.0.0.1")
    p.add_argument("--target-port", type=int, required=True)
    p.add_argument("--cut-seconds", type=float, default=10)
    asyncio.run(serve(p.parse_args()))


if __name__ == "__main__":
    main()
