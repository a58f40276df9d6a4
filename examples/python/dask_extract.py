#!/usr/bin/env python3
"""HOG features of a whole IDX dataset on a Dask cluster, then a linear SVM.

The client reads both splits of an MNIST-layout directory (Fashion-MNIST by
default: 60000 + 10000 images), cuts them into chunks, scatters the chunks
to the workers, has each worker describe its chunks with hogfeat.hog_batch,
gathers the feature matrices in order, trains hogfeat.LinearSVM on the
training rows and prints the test accuracy and the throughput of each worker.

By default the cluster is a dask.distributed.LocalCluster of --workers
processes on the loopback interface only (127.0.0.1, no dashboard). With
--scheduler tcp://HOST:8786 the same code runs on an existing cluster of
any number of machines (docs/dask.md).

    python3 dask_extract.py [DATA_DIR] [--workers 2] [--chunk 2500]
                            [--train-limit N] [--test-limit N] [--verify]
                            [--scheduler ADDRESS]

--verify also extracts everything serially in this process and checks that
the distributed features are bit-for-bit identical (exit status 1 if not).
"""
import argparse
import collections
import sys
import tempfile
import time

import numpy as np

import hogfeat

# Fashion-MNIST is 28x28: 4x4-px cells, 2x2-cell blocks give 6 x 6 blocks, 1296 values.
HOG = dict(orientations=9, pixels_per_cell=(4, 4), cells_per_block=(2, 2), block_norm='L2-Hys')


def extract_chunk(images, hog_params):
    """Runs on a worker: the descriptors of one chunk, the worker's address, and
    the wall-clock and CPU seconds spent (CPU time of this thread, which runs
    the C call: on a busy machine wall-clock time also counts waiting for a
    core). One thread per task: the worker processes are the parallelism (the
    C call releases the GIL, so threads would work too)."""
    from distributed import get_worker

    wall, cpu = time.perf_counter(), time.thread_time()
    features = hogfeat.hog_batch(images, num_threads=1, **hog_params)
    return features, get_worker().address, time.perf_counter() - wall, time.thread_time() - cpu


def chunk_views(images, size):
    """Views (no copies) of consecutive chunks of an (N, H, W) array."""
    return [images[i:i + size] for i in range(0, len(images), size)]


def distributed_features(client, splits, chunk):
    """Features of every split, in order, and per-worker statistics."""
    chunks = [c for images in splits for c in chunk_views(images, chunk)]
    start = time.perf_counter()
    remote = client.scatter(chunks)  # a multi-machine cluster gets the pixels over the network
    futures = [client.submit(extract_chunk, c, HOG, pure=False) for c in remote]
    results = client.gather(futures)
    wall = time.perf_counter() - start
    per_worker = collections.defaultdict(lambda: [0, 0, 0.0, 0.0])  # images, tasks, wall s, CPU s
    for (features, worker, seconds, cpu), images in zip(results, chunks):
        stats = per_worker[worker]
        stats[0] += len(images)
        stats[1] += 1
        stats[2] += seconds
        stats[3] += cpu
    features = np.concatenate([r[0] for r in results]) if results else np.empty((0, 0), np.float32)
    return features, per_worker, wall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('data', nargs='?', default='/usr/share/datasets/fashion-mnist',
                        help='MNIST-layout directory (default: Debian dataset-fashion-mnist)')
    parser.add_argument('--workers', type=int, default=2, help='local worker processes (default 2)')
    parser.add_argument('--chunk', type=int, default=2500, help='images per task (default 2500)')
    parser.add_argument('--train-limit', type=int, default=None, help='use the first N training images')
    parser.add_argument('--test-limit', type=int, default=None, help='use the first N test images')
    parser.add_argument('--svm-c', type=float, default=0.1, help='LinearSVM C (default 0.1)')
    parser.add_argument('--verify', action='store_true', help='compare with a serial extraction')
    parser.add_argument('--scheduler', default=None,
                        help='address of an existing scheduler (tcp://HOST:8786) instead of a LocalCluster')
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    train, train_labels = hogfeat.load_mnist(args.data, 'train')
    test, test_labels = hogfeat.load_mnist(args.data, 'test')
    train, train_labels = train[:args.train_limit], train_labels[:args.train_limit]
    test, test_labels = test[:args.test_limit], test_labels[:args.test_limit]
    total = len(train) + len(test)
    print('data: %s, %d training + %d test images of %dx%d' % (args.data, len(train), len(test), *train.shape[1:]))

    with tempfile.TemporaryDirectory(prefix='hogfeat-dask-') as scratch:
        if args.scheduler:
            cluster = None
            client = Client(args.scheduler)
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                   host='127.0.0.1', dashboard_address=None, local_directory=scratch)
            client = Client(cluster)
        try:
            n_workers = len(client.scheduler_info()['workers'])
            print('cluster: %s, %d workers' % (args.scheduler or 'LocalCluster on 127.0.0.1', n_workers))
            features, per_worker, wall = distributed_features(client, [train, test], args.chunk)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    print('extracted %d x %d features in %.2f s wall-clock: %.0f images/s overall'
          % (features.shape[0], features.shape[1], wall, total / wall))
    for worker, (count, tasks, seconds, cpu) in sorted(per_worker.items()):
        print('  worker %s: %d images in %d tasks, %.2f s in tasks: %.0f images/s (%.0f per CPU-second)'
              % (worker, count, tasks, seconds, count / seconds if seconds else 0.0, count / cpu if cpu else 0.0))

    status = 0
    if args.verify:
        everything = np.concatenate([train, test])
        wall, cpu = time.perf_counter(), time.thread_time()
        serial = hogfeat.hog_batch(everything, num_threads=1, **HOG)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        print('serial extraction in this process, 1 thread: %.0f images/s (%.0f per CPU-second)'
              % (total / wall, total / cpu if cpu else 0.0))
        identical = serial.shape == features.shape and np.array_equal(serial, features)
        print('features identical to a serial extraction: %s' % ('yes' if identical else 'NO'))
        status = 0 if identical else 1

    start = time.perf_counter()
    svm = hogfeat.LinearSVM(C=args.svm_c, tol=0.01, n_jobs=-1).fit(features[:len(train)], train_labels)
    fit = time.perf_counter() - start
    accuracy = svm.score(features[len(train):], test_labels) if len(test) else float('nan')
    print('LinearSVM(C=%g) trained in %.2f s; test accuracy %.2f %%' % (args.svm_c, fit, 100 * accuracy))
    return status


if __name__ == '__main__':
    sys.exit(main())
