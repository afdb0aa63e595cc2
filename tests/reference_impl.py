"""An independent, deliberately plain implementation of the reference's training rule.

It follows TensorFlow Playground's nn.ts step by step: one example at a time, per-link
accumulators, an update after every batch_size-th example of an epoch, the L1 dead-link
rule and L2, all with Python loops over single weights. The engine's vectorised trainer
must reproduce its trajectory to rounding error.
"""

from __future__ import annotations

import math

import numpy as np

ACT = {
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "relu": (lambda z: max(0.0, z), lambda z: 0.0 if z <= 0 else 1.0),
    "sigmoid": (
        lambda z: 1 / (1 + math.exp(-z)),
        lambda z: (1 / (1 + math.exp(-z))) * (1 - 1 / (1 + math.exp(-z))),
    ),
    "linear": (lambda z: z, lambda z: 1.0),
}


class ReferenceNet:
    def __init__(self, weights, biases, activation, output):  # type: ignore[no-untyped-def]
        self.w = [np.array(w, dtype=float) for w in weights]  # (fan_in, fan_out)
        self.b = [np.array(b, dtype=float) for b in biases]
        self.acts = [activation] * (len(weights) - 1) + [output]
        self.acc_w = [np.zeros_like(w) for w in self.w]
        self.acc_b = [np.zeros_like(b) for b in self.b]
        self.n_acc = 0
        self.dead = [np.zeros(w.shape, dtype=bool) for w in self.w]

    def forward(self, x):  # type: ignore[no-untyped-def]
        zs, outs = [], [list(x)]
        for layer, (w, b) in enumerate(zip(self.w, self.b, strict=True)):
            f = ACT[self.acts[layer]][0]
            z = [
                sum(outs[-1][i] * w[i, j] for i in range(w.shape[0])) + b[j]
                for j in range(w.shape[1])
            ]
            zs.append(z)
            outs.append([f(v) for v in z])
        return zs, outs

    def backprop(self, x, y):  # type: ignore[no-untyped-def]
        zs, outs = self.forward(x)
        L = len(self.w)
        out_der = [outs[-1][0] - y]  # d loss / d output
        for layer in range(L - 1, -1, -1):
            der = ACT[self.acts[layer]][1]
            input_der = [out_der[j] * der(zs[layer][j]) for j in range(len(zs[layer]))]
            for j, d in enumerate(input_der):
                self.acc_b[layer][j] += d
                for i in range(self.w[layer].shape[0]):
                    self.acc_w[layer][i, j] += d * outs[layer][i]
            out_der = [
                sum(self.w[layer][i, j] * input_der[j] for j in range(len(input_der)))
                for i in range(self.w[layer].shape[0])
            ]
        self.n_acc += 1

    def update(self, lr, reg, rate):  # type: ignore[no-untyped-def]
        for layer in range(len(self.w)):
            w = self.w[layer]
            for j in range(w.shape[1]):
                self.b[layer][j] -= lr * self.acc_b[layer][j] / self.n_acc
                for i in range(w.shape[0]):
                    if self.dead[layer][i, j]:
                        continue
                    old = w[i, j]
                    reg_der = {"none": 0.0, "l1": float(np.sign(old)), "l2": old}[reg]
                    w[i, j] = old - lr * self.acc_w[layer][i, j] / self.n_acc
                    new = w[i, j] - lr * rate * reg_der
                    if reg == "l1" and w[i, j] * new < 0:
                        w[i, j] = 0.0
                        self.dead[layer][i, j] = True
                    else:
                        w[i, j] = new
            self.acc_w[layer][:] = 0
            self.acc_b[layer][:] = 0
        self.n_acc = 0

    def train_epoch(self, xs, ys, batch_size, lr, reg="none", rate=0.0):  # type: ignore[no-untyped-def]
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            self.backprop(x, y)
            if (i + 1) % batch_size == 0:
                self.update(lr, reg, rate)
