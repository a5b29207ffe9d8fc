/**
 * The fixed part of every `--target pytorch` module: Keras 3's layers, initializers,
 * regularizers, constraints, losses and optimizers written over torch, with Keras's weight
 * layouts (a Dense kernel is (in, out) and used as x @ W + b; tensors stay channels-last), so
 * that `get_weights()` order loads unchanged. The generated part (torch.ts) only builds the
 * model from these classes and names its hyper-parameters.
 *
 * Where torch's own building blocks compute something else, the Keras formula is written out:
 * 'same' padding (Keras pads the extra row at the end), average pooling that counts only the
 * real cells, Adam's ε outside the bias correction, RMSprop's ε inside the square root,
 * BatchNormalization's biased variance for the moving statistics, probability clipping at
 * 1e-7 in the cross-entropies.
 */
export const torchRuntime = String.raw`import base64
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EPSILON = 1e-7  # keras.config.epsilon()


def _tuple(v, n):
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


# Activations (keras.activations), by canonical name.


def activation(name, alpha=1.0, negative_slope=0.0, max_value=None, threshold=0.0, axis=-1,
               approximate=False, b=4.0, default_value=0.0):
    """The activation as a function, its Keras name in .keras_name (the losses read it)."""
    f = _activation(name, alpha, negative_slope, max_value, threshold, axis, approximate, b,
                    default_value)
    g = lambda x: f(x)
    g.keras_name = name if axis == -1 else None
    return g


def _activation(name, alpha, negative_slope, max_value, threshold, axis, approximate, b,
                default_value):
    if name == "linear":
        return lambda x: x
    if name == "relu":
        return lambda x: _relu(x, negative_slope, max_value, threshold)
    table = {
        "relu6": lambda x: torch.clamp(x, 0.0, 6.0),
        "sigmoid": torch.sigmoid,
        "hard_sigmoid": lambda x: torch.clamp(x / 6.0 + 0.5, 0.0, 1.0),
        "hard_silu": lambda x: x * torch.clamp(x / 6.0 + 0.5, 0.0, 1.0),
        "tanh": torch.tanh,
        "softmax": lambda x: torch.softmax(x, dim=axis),
        "log_softmax": lambda x: torch.log_softmax(x, dim=axis),
        "elu": lambda x: torch.where(x > 0, x, alpha * torch.expm1(x)),
        "selu": F.selu,
        "softplus": lambda x: torch.relu(x) + torch.log1p(torch.exp(-torch.abs(x))),
        "softsign": F.softsign,
        "silu": F.silu,
        "gelu": lambda x: F.gelu(x, approximate="tanh" if approximate else "none"),
        "exponential": torch.exp,
        "mish": F.mish,
        "leaky_relu": lambda x: torch.where(x >= 0, x, negative_slope * x),
        "celu": lambda x: torch.where(x > 0, x, alpha * torch.expm1(x / alpha)),
        "hard_tanh": lambda x: torch.clamp(x, -1.0, 1.0),
        "log_sigmoid": F.logsigmoid,
        "tanh_shrink": lambda x: x - torch.tanh(x),
        "hard_shrink": lambda x: torch.where(torch.abs(x) > threshold, x, torch.zeros_like(x)),
        "soft_shrink": lambda x: torch.where(x > threshold, x - threshold,
                                             torch.where(x < -threshold, x + threshold,
                                                         torch.zeros_like(x))),
        "sparse_plus": lambda x: torch.where(x <= -1, torch.zeros_like(x),
                                             torch.where(x >= 1, x, 0.25 * (x + 1) ** 2)),
        "sparse_sigmoid": lambda x: torch.clamp(0.5 * (x + 1), 0.0, 1.0),
        "squareplus": lambda x: 0.5 * (x + torch.sqrt(x * x + b)),
        "threshold": lambda x: torch.where(x > threshold, x, torch.full_like(x, default_value)),
        "sparsemax": lambda x: _sparsemax(x, axis),
        # nnlang's step (not Keras): 1 where x > 0, else 0; it has no gradient.
        "step": lambda x: (x > 0).to(x.dtype),
    }
    return table[name]


def _sparsemax(x, axis):
    """keras.activations.sparsemax: the Euclidean projection of x onto the simplex."""
    x = x.transpose(axis, -1) if axis != -1 else x
    z, _ = torch.sort(x, dim=-1, descending=True)
    k = torch.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    cumsum = torch.cumsum(z, dim=-1)
    support = (1 + k * z > cumsum).to(x.dtype)
    count = torch.sum(support, dim=-1, keepdim=True)
    tau = (torch.sum(z * support, dim=-1, keepdim=True) - 1) / count
    y = torch.relu(x - tau)
    return y.transpose(axis, -1) if axis != -1 else y


def _relu(x, negative_slope, max_value, threshold):
    # keras.activations.relu with its three options.
    y = x * (x > threshold).to(x.dtype) if threshold != 0 else torch.relu(x)
    if max_value is not None:
        y = torch.clamp(y, max=max_value)
    if negative_slope != 0:
        y = y - negative_slope * torch.relu(threshold - x)
    return y


# Initializers (keras.initializers), for fresh training.


def _fans(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2]) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _variance_scaling(t, scale, mode, distribution):
    fan_in, fan_out = _fans(tuple(t.shape))
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    scale = scale / max(1.0, n)
    if distribution == "uniform":
        limit = math.sqrt(3.0 * scale)
        return t.uniform_(-limit, limit)
    if distribution == "untruncated_normal":
        return t.normal_(0.0, math.sqrt(scale))
    # Keras's truncated normal: within two standard deviations, rescaled to keep the variance.
    std = math.sqrt(scale) / 0.87962566103423978
    return nn.init.trunc_normal_(t, 0.0, std, -2 * std, 2 * std)


def initialize(t, name, args):
    with torch.no_grad():
        if name == "Zeros":
            return t.zero_()
        if name == "Ones":
            return t.fill_(1.0)
        if name == "Constant":
            return t.fill_(args.get("value", 0.0))
        if name == "RandomNormal":
            return t.normal_(args.get("mean", 0.0), args.get("stddev", 0.05))
        if name == "RandomUniform":
            return t.uniform_(args.get("minval", -0.05), args.get("maxval", 0.05))
        if name == "TruncatedNormal":
            m, s = args.get("mean", 0.0), args.get("stddev", 0.05)
            return nn.init.trunc_normal_(t, m, s, m - 2 * s, m + 2 * s)
        if name == "VarianceScaling":
            return _variance_scaling(t, args.get("scale", 1.0), args.get("mode", "fan_in"),
                                     args.get("distribution", "truncated_normal"))
        scaled = {
            "GlorotUniform": (1.0, "fan_avg", "uniform"),
            "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
            "HeUniform": (2.0, "fan_in", "uniform"),
            "HeNormal": (2.0, "fan_in", "truncated_normal"),
            "LecunUniform": (1.0, "fan_in", "uniform"),
            "LecunNormal": (1.0, "fan_in", "truncated_normal"),
        }
        if name in scaled:
            return _variance_scaling(t, *scaled[name])
        if name == "Orthogonal":
            rows, cols = math.prod(t.shape[:-1]), t.shape[-1]
            a = torch.randn(max(rows, cols), min(rows, cols))
            q, r = torch.linalg.qr(a)
            q = q * torch.sign(torch.diagonal(r))
            if rows < cols:
                q = q.T
            return t.copy_(args.get("gain", 1.0) * q.reshape(t.shape))
        if name == "Identity":
            return t.copy_(args.get("gain", 1.0) * torch.eye(*t.shape))
        raise ValueError("no initializer " + name)


# Regularizers and constraints (keras.regularizers, keras.constraints).


def regularization(w, reg):
    name, args = reg
    l1 = args.get("l1", 0.0) if name in ("L1", "L1L2") else 0.0
    l2 = args.get("l2", 0.0) if name in ("L2", "L1L2") else 0.0
    out = w.new_zeros(())
    if l1:
        out = out + l1 * torch.sum(torch.abs(w))
    if l2:
        out = out + l2 * torch.sum(torch.square(w))
    return out


def constrain(w, con):
    name, args = con
    if name == "NonNeg":
        return w * (w >= 0).to(w.dtype)
    axis = args.get("axis", 0)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    norms = torch.sqrt(torch.sum(torch.square(w), dim=axis, keepdim=True))
    if name == "UnitNorm":
        return w / (EPSILON + norms)
    if name == "MaxNorm":
        desired = torch.clamp(norms, 0.0, args.get("max_value", 2.0))
    else:  # MinMaxNorm
        rate = args.get("rate", 1.0)
        clipped = torch.clamp(norms, args.get("min_value", 0.0), args.get("max_value", 1.0))
        desired = rate * clipped + (1 - rate) * norms
    return w * desired / (EPSILON + norms)


# Layers. Each holds its weights under Keras's names, in get_weights() order (weight_names).


class Layer(nn.Module):
    def __init__(self, weights=()):
        super().__init__()
        self.logits = None
        self.weight_names = []
        self.regularizers = {}
        self.constraints = {}
        for name, shape, trainable, init, reg, con in weights:
            t = torch.empty(shape)
            initialize(t, *init)
            if trainable:
                self.register_parameter(name, nn.Parameter(t))
            else:
                self.register_buffer(name, t)
            self.weight_names.append(name)
            if reg is not None:
                self.regularizers[name] = reg
            if con is not None:
                self.constraints[name] = con

    def has(self, name):
        return name in self.weight_names

    def scale_shift(self, y):
        """A normalization's gamma and beta, where it has them (scale, center)."""
        if self.has("gamma"):
            y = y * self.gamma
        return y + self.beta if self.has("beta") else y

    def activate(self, z):
        """The activation of z, keeping z: a softmax or sigmoid output's loss reads the logits."""
        self.logits = z
        return self.activation(z)

    def keras_weights(self):
        return [getattr(self, n) for n in self.weight_names]

    def regularization_loss(self):
        return sum((regularization(getattr(self, n), r) for n, r in self.regularizers.items()),
                   torch.zeros(()))

    def apply_constraints(self):
        with torch.no_grad():
            for n, c in self.constraints.items():
                w = getattr(self, n)
                w.copy_(constrain(w, c))


class Dense(Layer):
    def __init__(self, activation, weights):
        super().__init__(weights)
        self.activation = activation

    def forward(self, x):
        y = x @ self.kernel
        if self.has("bias"):
            y = y + self.bias
        return self.activate(y)


class Activation(Layer):
    def __init__(self, activation):
        super().__init__()
        self.activation = activation

    def forward(self, x):
        return self.activate(x)


class PReLU(Layer):
    def forward(self, x):
        return torch.relu(x) - self.alpha * torch.relu(-x)


class Dropout(Layer):
    def __init__(self, rate, noise_shape=None):
        super().__init__()
        self.rate = rate

    def forward(self, x):
        return F.dropout(x, self.rate, self.training) if self.rate > 0 else x


class SpatialDropout(Layer):
    """Drops whole channels: one Bernoulli draw per sample and channel."""

    def __init__(self, rate):
        super().__init__()
        self.rate = rate

    def forward(self, x):
        if not self.training or self.rate == 0:
            return x
        shape = (x.shape[0],) + (1,) * (x.dim() - 2) + (x.shape[-1],)
        keep = (torch.rand(shape) >= self.rate).to(x.dtype)
        return x * keep / (1 - self.rate)


class GaussianNoise(Layer):
    def __init__(self, stddev):
        super().__init__()
        self.stddev = stddev

    def forward(self, x):
        return x + self.stddev * torch.randn_like(x) if self.training else x


class BatchNormalization(Layer):
    def __init__(self, momentum, epsilon, weights):
        super().__init__(weights)
        self.momentum = momentum
        self.epsilon = epsilon

    def forward(self, x):
        axes = tuple(range(x.dim() - 1))
        if self.training:
            mean = torch.mean(x, dim=axes)
            var = torch.mean(torch.square(x - mean), dim=axes)
            with torch.no_grad():
                m = self.momentum
                self.moving_mean.copy_(self.moving_mean * m + mean * (1 - m))
                self.moving_variance.copy_(self.moving_variance * m + var * (1 - m))
        else:
            mean, var = self.moving_mean, self.moving_variance
        return self.scale_shift((x - mean) * torch.rsqrt(var + self.epsilon))


class LayerNormalization(Layer):
    def __init__(self, epsilon, weights):
        super().__init__(weights)
        self.epsilon = epsilon

    def forward(self, x):
        mean = torch.mean(x, dim=-1, keepdim=True)
        var = torch.mean(torch.square(x - mean), dim=-1, keepdim=True)
        return self.scale_shift((x - mean) * torch.rsqrt(var + self.epsilon))


class UnitNormalization(Layer):
    def forward(self, x):
        return x * torch.rsqrt(torch.clamp(torch.sum(x * x, dim=-1, keepdim=True), min=1e-24))


class Reshape(Layer):
    def __init__(self, target_shape):
        super().__init__()
        self.target_shape = tuple(target_shape)

    def forward(self, x):
        return x.reshape((x.shape[0],) + self.target_shape)


class Flatten(Layer):
    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class Permute(Layer):
    def __init__(self, dims):
        super().__init__()
        self.dims = (0,) + tuple(dims)

    def forward(self, x):
        return x.permute(self.dims)


class RepeatVector(Layer):
    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        return x.unsqueeze(1).expand(x.shape[0], self.n, x.shape[1])


def _same_padding(size, k, stride, dilation):
    """Keras's 'same': the total padding, the extra cell at the end."""
    effective = (k - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _pads(x, padding, kernel, strides, dilation):
    """F.pad's list for channels-first spatial dims (last dim first)."""
    pads = []
    for d in reversed(range(len(kernel))):
        size = x.shape[2 + d]
        if padding == "same":
            pads += list(_same_padding(size, kernel[d], strides[d], dilation[d]))
        elif padding == "causal":
            pads += [(kernel[d] - 1) * dilation[d], 0]
        else:
            pads += [0, 0]
    return pads


def _channels_first(x):
    return x.permute((0, x.dim() - 1) + tuple(range(1, x.dim() - 1)))


def _channels_last(x):
    return x.permute((0,) + tuple(range(2, x.dim())) + (1,))


class Conv(Layer):
    """Conv1D and Conv2D, channels-last; the kernel keeps Keras's (…, in, out) layout."""

    def __init__(self, rank, kernel_size, strides, padding, dilation_rate, activation, weights,
                 groups=1):
        super().__init__(weights)
        self.groups = groups  # Keras's and torch's groups split the channels alike
        self.rank = rank
        self.kernel_size = _tuple(kernel_size, rank)
        self.strides = _tuple(strides, rank)
        self.padding = padding
        self.dilation = _tuple(dilation_rate, rank)
        self.activation = activation

    def forward(self, x):
        x = _channels_first(x)
        x = F.pad(x, _pads(x, self.padding, self.kernel_size, self.strides, self.dilation))
        w = self.kernel.permute((self.rank + 1, self.rank) + tuple(range(self.rank)))
        conv = F.conv1d if self.rank == 1 else F.conv2d
        y = conv(x, w, None, self.strides, 0, self.dilation, self.groups)
        y = _channels_last(y)
        if self.has("bias"):
            y = y + self.bias
        return self.activate(y)


class DepthwiseConv(Conv):
    """DepthwiseConv and SeparableConv 1D/2D: channel c's multiplier m is output c*mult + m."""

    def forward(self, x):
        x = _channels_first(x)
        x = F.pad(x, _pads(x, self.padding, self.kernel_size, self.strides, self.dilation))
        # Keras 3 names DepthwiseConv's kernel 'kernel', SeparableConv's 'depthwise_kernel'.
        k = self.depthwise_kernel if self.has("depthwise_kernel") else self.kernel
        c, mult = k.shape[-2], k.shape[-1]
        w = k.permute((self.rank, self.rank + 1) + tuple(range(self.rank)))
        w = w.reshape((c * mult, 1) + tuple(k.shape[:self.rank]))
        conv = F.conv1d if self.rank == 1 else F.conv2d
        y = conv(x, w, None, self.strides, 0, self.dilation, c)
        if self.has("pointwise_kernel"):
            p = self.pointwise_kernel
            y = conv(y, p.permute((self.rank + 1, self.rank) + tuple(range(self.rank))))
        y = _channels_last(y)
        if self.has("bias"):
            y = y + self.bias
        return self.activate(y)


class Pooling(Layer):
    """MaxPooling and AveragePooling 1D/2D; 'same' averages only the cells inside the input."""

    def __init__(self, rank, kind, pool_size, strides, padding):
        super().__init__()
        self.rank = rank
        self.kind = kind
        self.pool = _tuple(pool_size, rank)
        self.strides = _tuple(strides if strides is not None else pool_size, rank)
        self.padding = padding

    def forward(self, x):
        x = _channels_first(x)
        pads = _pads(x, self.padding, self.pool, self.strides, (1,) * self.rank)
        if self.kind == "max":
            pool = F.max_pool1d if self.rank == 1 else F.max_pool2d
            y = pool(F.pad(x, pads, value=-math.inf), self.pool, self.strides)
        else:
            pool = F.avg_pool1d if self.rank == 1 else F.avg_pool2d
            total = pool(F.pad(x, pads), self.pool, self.strides)
            ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype)
            count = pool(F.pad(ones, pads), self.pool, self.strides)
            y = total / count
        return _channels_last(y)


class GlobalPooling(Layer):
    def __init__(self, kind, keepdims=False):
        super().__init__()
        self.kind = kind
        self.keepdims = keepdims

    def forward(self, x, mask=None):
        axes = tuple(range(1, x.dim() - 1))
        if self.kind == "max":
            return torch.amax(x, dim=axes, keepdim=self.keepdims)
        if mask is not None:
            # GlobalAveragePooling1D with Keras's mask: the mean of the unmasked steps.
            m = mask.to(x.dtype).unsqueeze(-1)
            return (torch.sum(x * m, dim=1, keepdim=self.keepdims)
                    / torch.sum(m, dim=1, keepdim=self.keepdims))
        return torch.mean(x, dim=axes, keepdim=self.keepdims)


class ZeroPadding(Layer):
    """ZeroPadding1D/2D: ((before, after), …) per spatial axis."""

    def __init__(self, padding):
        super().__init__()
        self.pads = [0, 0]
        for before, after in reversed(padding):
            self.pads += [before, after]

    def forward(self, x):
        return F.pad(x, self.pads)


class Cropping(Layer):
    """Cropping1D/2D: ((before, after), …) per spatial axis."""

    def __init__(self, cropping):
        super().__init__()
        self.cropping = cropping

    def forward(self, x):
        for d, (before, after) in enumerate(self.cropping):
            x = x.narrow(1 + d, before, x.shape[1 + d] - before - after)
        return x


class UpSampling(Layer):
    """UpSampling1D/2D, nearest: every cell repeated size times along its axis."""

    def __init__(self, size):
        super().__init__()
        self.size = size

    def forward(self, x):
        for d, n in enumerate(self.size):
            x = x.repeat_interleave(n, dim=1 + d)
        return x


class Embedding(Layer):
    def forward(self, x):
        return self.embeddings[x.long()]

    def compute_mask(self, x):
        """mask_zero=True: id 0 is padding, for the layers after it and the loss."""
        return x.long() != 0


class Merge(Layer):
    def __init__(self, kind, axis=-1):
        super().__init__()
        self.kind = kind
        self.axis = axis

    def forward(self, *xs):
        if self.kind == "Concatenate":
            return torch.cat(xs, dim=self.axis)
        if self.kind == "Subtract":
            return xs[0] - xs[1]
        y = xs[0]
        for x in xs[1:]:
            if self.kind in ("Add", "Average"):
                y = y + x
            elif self.kind == "Multiply":
                y = y * x
            elif self.kind == "Maximum":
                y = torch.maximum(y, x)
            else:
                y = torch.minimum(y, x)
        return y / len(xs) if self.kind == "Average" else y


class Recurrent(Layer):
    """SimpleRNN, LSTM and GRU over (batch, steps, features), with Keras's gate order."""

    def __init__(self, cell, units, activation, recurrent_activation, return_sequences,
                 return_state, go_backwards, reset_after, unit_forget_bias, weights, dropout=0.0,
                 recurrent_dropout=0.0):
        super().__init__(weights)
        self.cell = cell
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.units = units
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.reset_after = reset_after
        if cell == "LSTM" and unit_forget_bias and self.has("bias"):
            with torch.no_grad():
                self.bias.zero_()
                self.bias[units:2 * units] = 1.0

    def gates(self):
        return {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[self.cell]

    def dropout_masks(self, x):
        """
        Keras 3's DropoutRNNCell masks, drawn once per batch in training (kept / (1 - rate)):
        recurrent_dropout's on the state, one per gate; dropout's on the inputs, one per gate
        where LSTMCell and GRUCell run implementation 1 (recurrent_dropout != 0), else one for
        every gate, applied to the whole sequence up front. Keras drops only for 0 < rate < 1.
        """
        drops = lambda rate: self.training and 0.0 < rate < 1.0
        draw = lambda rate, shape: (torch.rand(shape) >= rate).to(x.dtype) / (1.0 - rate)
        n, g = x.shape[0], self.gates()
        rdp = draw(self.recurrent_dropout, (n, g, self.units)) if drops(self.recurrent_dropout) else None
        dp = None
        if drops(self.dropout):
            if self.cell != "SimpleRNN" and self.recurrent_dropout != 0:
                dp = draw(self.dropout, (n, g, x.shape[2]))
            else:
                x = x * draw(self.dropout, (n, 1, x.shape[2]))
        return x, dp, rdp

    @staticmethod
    def product(a, w, masks):
        """a @ w, gate block g of w reading a * masks[:, g] when there are masks."""
        if masks is None:
            return a @ w
        u = w.shape[1] // masks.shape[1]
        return torch.cat([(a * masks[:, g]) @ w[:, g * u:(g + 1) * u]
                          for g in range(masks.shape[1])], dim=1)

    def step(self, x, state, dp=None, rdp=None):
        u = self.units
        bias = self.bias if self.has("bias") else None
        if self.cell == "SimpleRNN":
            z = x @ self.kernel + self.product(state[0], self.recurrent_kernel, rdp)
            h = self.activation(z + bias if bias is not None else z)
            return h, (h,)
        if self.cell == "LSTM":
            h, c = state
            z = self.product(x, self.kernel, dp) + self.product(h, self.recurrent_kernel, rdp)
            if bias is not None:
                z = z + bias
            i = self.recurrent_activation(z[:, :u])
            f = self.recurrent_activation(z[:, u:2 * u])
            c = f * c + i * self.activation(z[:, 2 * u:3 * u])
            o = self.recurrent_activation(z[:, 3 * u:])
            h = o * self.activation(c)
            return h, (h, c)
        h = state[0]
        xz = self.product(x, self.kernel, dp)
        if self.reset_after:
            hz = self.product(h, self.recurrent_kernel, rdp)
            if bias is not None:
                xz = xz + bias[0]
                hz = hz + bias[1]
            z = self.recurrent_activation(xz[:, :u] + hz[:, :u])
            r = self.recurrent_activation(xz[:, u:2 * u] + hz[:, u:2 * u])
            hh = self.activation(xz[:, 2 * u:] + r * hz[:, 2 * u:])
        else:
            if bias is not None:
                xz = xz + bias
            hzr = self.product(h, self.recurrent_kernel[:, :2 * u],
                               None if rdp is None else rdp[:, :2])
            z = self.recurrent_activation(xz[:, :u] + hzr[:, :u])
            r = self.recurrent_activation(xz[:, u:2 * u] + hzr[:, u:])
            hd = h if rdp is None else h * rdp[:, 2]
            hh = self.activation(xz[:, 2 * u:] + (r * hd) @ self.recurrent_kernel[:, 2 * u:])
        h = z * h + (1 - z) * hh
        return h, (h,)

    def forward(self, x, mask=None, zero_output_for_mask=False):
        """
        With Keras's mask (batch, steps), a masked step keeps the states and outputs the last
        output (zeros with zero_output_for_mask, as Bidirectional sets for sequences).
        """
        n = x.shape[0]
        x, dp, rdp = self.dropout_masks(x)
        zeros = x.new_zeros((n, self.units))
        state = (zeros, zeros) if self.cell == "LSTM" else (zeros,)
        steps = range(x.shape[1] - 1, -1, -1) if self.go_backwards else range(x.shape[1])
        outputs = []
        last = zeros
        for t in steps:
            h, new_state = self.step(x[:, t], state, dp, rdp)
            if mask is None:
                state = new_state
            else:
                keep = mask[:, t].unsqueeze(-1)
                state = tuple(torch.where(keep, a, b) for a, b in zip(new_state, state))
                h = torch.where(keep, h, zeros if zero_output_for_mask else last)
                last = h
            outputs.append(h)
        y = torch.stack(outputs, dim=1) if self.return_sequences else outputs[-1]
        return (y,) + tuple(state) if self.return_state else y


class Bidirectional(Layer):
    def __init__(self, forward_layer, backward_layer, merge_mode):
        super().__init__()
        self.forward_layer = forward_layer
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode

    def keras_weights(self):
        return self.forward_layer.keras_weights() + self.backward_layer.keras_weights()

    def regularization_loss(self):
        return self.forward_layer.regularization_loss() + self.backward_layer.regularization_loss()

    def apply_constraints(self):
        self.forward_layer.apply_constraints()
        self.backward_layer.apply_constraints()

    def forward(self, x, mask=None):
        """
        The merged output (merge_mode=None: the forward then the backward output), then with
        return_state the forward copy's final states and the backward copy's, as Keras returns.
        """
        zero = self.forward_layer.return_sequences
        a = self.forward_layer(x, mask, zero)
        b = self.backward_layer(x, mask, zero)
        states = ()
        if self.forward_layer.return_state:
            states = a[1:] + b[1:]
            a, b = a[0], b[0]
        if self.backward_layer.return_sequences:
            b = torch.flip(b, dims=(1,))
        if self.merge_mode is None:
            return (a, b) + states
        if self.merge_mode == "concat":
            y = torch.cat((a, b), dim=-1)
        elif self.merge_mode == "sum":
            y = a + b
        elif self.merge_mode == "mul":
            y = a * b
        else:
            y = (a + b) / 2
        return (y,) + states if states else y


class TimeDistributed(Layer):
    """
    The layer on every step. Its activation and logits are the inner layer's (over the steps),
    so a softmax or sigmoid inside meets its cross-entropy from the logits, as in the engine.
    """

    def __init__(self, layer):
        super().__init__()
        self.layer = layer
        self.activation = getattr(layer, "activation", None)

    def keras_weights(self):
        return self.layer.keras_weights()

    def regularization_loss(self):
        return self.layer.regularization_loss()

    def apply_constraints(self):
        self.layer.apply_constraints()

    def forward(self, x):
        n, t = x.shape[0], x.shape[1]
        y = self.layer(x.reshape((n * t,) + tuple(x.shape[2:])))
        z = self.layer.logits
        self.logits = None if z is None else z.reshape((n, t) + tuple(z.shape[1:]))
        return y.reshape((n, t) + tuple(y.shape[1:]))


# Losses (keras.losses), each reduced over the batch as sum_over_batch_size.


def _clip(p):
    return torch.clamp(p, EPSILON, 1 - EPSILON)


def loss_function(name, from_logits=False, label_smoothing=0.0, delta=1.0, alpha=0.25, gamma=2.0,
                  apply_class_balancing=False, reduction="sum_over_batch_size", ignore_class=None):
    """
    The loss as f(y_pred, y_true, activation, logits). Like Keras on TensorFlow (and nnlang), a
    cross-entropy of probabilities straight out of a softmax (sigmoid for binary) is computed
    from that layer's logits: the same value unless the probabilities pass the 1e-7 clip.
    """
    fused = {"categorical_crossentropy": "softmax", "sparse_categorical_crossentropy": "softmax",
             "binary_crossentropy": "sigmoid"}.get(name)

    def per_sample(y_pred, y_true, from_logits):
        if name == "mean_squared_error":
            return torch.mean(torch.square(y_pred - y_true), dim=-1)
        if name == "mean_absolute_error":
            return torch.mean(torch.abs(y_pred - y_true), dim=-1)
        if name == "huber":
            e = torch.abs(y_pred - y_true)
            return torch.mean(torch.where(e <= delta, 0.5 * e * e, delta * (e - 0.5 * delta)),
                              dim=-1)
        if name == "mean_absolute_percentage_error":
            d = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=EPSILON))
            return 100.0 * torch.mean(d, dim=-1)
        if name == "mean_squared_logarithmic_error":
            d = (torch.log(torch.clamp(y_pred, min=EPSILON) + 1)
                 - torch.log(torch.clamp(y_true, min=EPSILON) + 1))
            return torch.mean(torch.square(d), dim=-1)
        if name == "log_cosh":
            e = y_pred - y_true
            return torch.mean(e + F.softplus(-2.0 * e) - math.log(2.0), dim=-1)
        if name == "poisson":
            return torch.mean(y_pred - y_true * torch.log(y_pred + EPSILON), dim=-1)
        if name == "kl_divergence":
            y, p = torch.clamp(y_true, EPSILON, 1.0), torch.clamp(y_pred, EPSILON, 1.0)
            return torch.sum(y * torch.log(y / p), dim=-1)
        if name == "cosine_similarity":
            def normalize(a):
                s = torch.sum(a * a, dim=-1, keepdim=True)
                return a * torch.clamp(torch.rsqrt(s), max=1.0 / EPSILON)
            return -torch.sum(normalize(y_true) * normalize(y_pred), dim=-1)
        if name in ("hinge", "squared_hinge"):
            # Keras maps 0/1 targets (the whole batch's) to -1/1.
            y = 2 * y_true - 1 if bool(torch.all((y_true == 0) | (y_true == 1))) else y_true
            m = torch.clamp(1 - y * y_pred, min=0.0)
            return torch.mean(m if name == "hinge" else m * m, dim=-1)
        if name == "categorical_hinge":
            pos = torch.sum(y_true * y_pred, dim=-1)
            neg = torch.amax((1 - y_true) * y_pred, dim=-1)
            return torch.clamp(neg - pos + 1, min=0.0)
        if name == "binary_focal_crossentropy":
            y = y_true * (1 - label_smoothing) + 0.5 * label_smoothing
            p = torch.sigmoid(y_pred) if from_logits else y_pred
            c = _clip(p)
            bce = -(y * torch.log(c) + (1 - y) * torch.log(1 - c))
            pt = y * p + (1 - y) * (1 - p)
            w = y * alpha + (1 - y) * (1 - alpha) if apply_class_balancing else 1.0
            return torch.mean(w * torch.pow(1 - pt, gamma) * bce, dim=-1)
        if name == "categorical_focal_crossentropy":
            k = y_pred.shape[-1]
            y = y_true * (1 - label_smoothing) + label_smoothing / k
            p = torch.softmax(y_pred, dim=-1) if from_logits else y_pred
            c = _clip(p / torch.sum(p, dim=-1, keepdim=True))
            return -torch.sum(alpha * torch.pow(1 - c, gamma) * y * torch.log(c), dim=-1)
        if name == "binary_crossentropy":
            y = y_true * (1 - label_smoothing) + 0.5 * label_smoothing
            if from_logits:
                return torch.mean(F.binary_cross_entropy_with_logits(y_pred, y, reduction="none"),
                                  dim=-1)
            p = _clip(y_pred)
            return -torch.mean(y * torch.log(p) + (1 - y) * torch.log(1 - p), dim=-1)
        if name == "sparse_categorical_crossentropy":
            y = F.one_hot(y_true.reshape(y_pred.shape[:-1]).long(), y_pred.shape[-1])
            y_true = y.to(y_pred.dtype)
        elif label_smoothing:
            k = y_pred.shape[-1]
            y_true = y_true * (1 - label_smoothing) + label_smoothing / k
        if from_logits:
            return -torch.sum(y_true * torch.log_softmax(y_pred, dim=-1), dim=-1)
        p = _clip(y_pred / torch.sum(y_pred, dim=-1, keepdim=True))
        return -torch.sum(y_true * torch.log(p), dim=-1)

    # Like the engine, a loss reduced otherwise, or with ignore_class, keeps the probabilities.
    fusable = reduction in ("sum_over_batch_size", "mean") and ignore_class is None

    def loss(y_pred, y_true, activation=None, logits=None, mask=None):
        if name != "sparse_categorical_crossentropy":
            y_true = y_true.reshape(y_pred.shape)
        elif ignore_class is not None:
            # Keras 3 masks the ignored targets' positions (joined with any mask by &).
            keep = y_true.reshape(y_pred.shape[:-1]) != ignore_class
            mask = keep if mask is None else keep & mask.reshape(keep.shape)
            y_true = torch.where(keep.reshape(y_true.shape), y_true, torch.zeros_like(y_true))
        if (fusable and not from_logits and fused is not None and activation == fused
                and logits is not None):
            per = per_sample(logits, y_true, True)
        else:
            per = per_sample(y_pred, y_true, from_logits)
        m = torch.ones_like(per) if mask is None else mask.reshape(per.shape).to(per.dtype)
        total = torch.sum(per * m)
        if reduction in ("sum", "none"):
            return total
        # Keras 3's apply_mask: the mean over the unmasked rows (0 when there are none).
        return total / torch.clamp(torch.sum(m), min=1.0)

    # reduction='none' trains on the sum of the per-sample losses (tape.gradient of a vector)
    # and logs their mean (compute_loss).
    loss.reduction = reduction

    return loss


# Optimizers (keras.optimizers), written out: torch's Adam puts ε inside the bias correction
# and defaults it to 1e-8, its RMSprop keeps ε outside the square root.


def schedule(name, initial_learning_rate=None, decay_steps=1, decay_rate=1.0, staircase=False,
             boundaries=(), values=(), alpha=0.0, warmup_target=None, warmup_steps=0,
             end_learning_rate=0.0001, power=1.0, cycle=False, first_decay_steps=1, t_mul=2.0,
             m_mul=1.0):
    """A keras.optimizers.schedules class as a function of optimizer.iterations (0 first)."""
    lr0 = initial_learning_rate

    def cosine(step, steps, start):
        return start * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / steps)) + alpha)

    def f(step):
        if name in ("ExponentialDecay", "InverseTimeDecay"):
            p = step / decay_steps
            p = math.floor(p) if staircase else p
            if name == "ExponentialDecay":
                return lr0 * decay_rate ** p
            return lr0 / (1 + decay_rate * p)
        if name == "PiecewiseConstantDecay":
            return next((v for b, v in zip(boundaries, values) if step <= b), values[-1])
        if name == "CosineDecay":
            if warmup_target is None:
                return cosine(min(step, decay_steps), decay_steps, lr0)
            s = min(step, decay_steps + warmup_steps)
            if s < warmup_steps:
                return (warmup_target - lr0) * (s / warmup_steps) + lr0
            return cosine(s - warmup_steps, decay_steps, warmup_target)
        if name == "PolynomialDecay":
            if cycle:
                horizon = decay_steps * (1 if step == 0 else math.ceil(step / decay_steps))
            else:
                horizon, step = decay_steps, min(step, decay_steps)
            return (lr0 - end_learning_rate) * (1 - step / horizon) ** power + end_learning_rate
        # CosineDecayRestarts (SGDR): periods growing by t_mul, peaks scaled by m_mul.
        fraction = step / first_decay_steps
        if t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            restart = math.floor(math.log(1 - fraction * (1 - t_mul)) / math.log(t_mul))
            fraction = (fraction - (1 - t_mul ** restart) / (1 - t_mul)) / t_mul ** restart
        peak = m_mul ** restart
        return lr0 * ((1 - alpha) * 0.5 * peak * (1 + math.cos(math.pi * fraction)) + alpha)

    return f


def _nadam_mu(beta_1, t):
    return beta_1 * (1 - 0.5 * 0.96 ** t)


class KerasOptimizer:
    def __init__(self, params, name, learning_rate, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, gradient_accumulation_steps=None, **hp):
        self.params = list(params)
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.accumulation = gradient_accumulation_steps
        self.averages = [torch.zeros_like(p) for p in self.params] if use_ema else []
        self.accumulators = ([torch.zeros_like(p) for p in self.params]
                             if gradient_accumulation_steps else [])
        self.name = name
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.hp = hp
        self.iterations = 0
        self.slots = [{} for _ in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def lr(self):
        lr = self.learning_rate
        return lr(self.iterations) if callable(lr) else lr

    def _clip(self, grads):
        if self.clipnorm:
            return [g * self.clipnorm / torch.clamp(torch.linalg.norm(g), min=self.clipnorm)
                    for g in grads]
        if self.global_clipnorm:
            norm = torch.sqrt(sum(torch.sum(torch.square(g)) for g in grads))
            return [g * self.global_clipnorm / torch.clamp(norm, min=self.global_clipnorm)
                    for g in grads]
        if self.clipvalue:
            return [torch.clamp(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def update_steps(self):
        """Keras's optimizer.iterations: accumulated batches count as one update."""
        n = self.accumulation
        return self.iterations // n if n else self.iterations

    @torch.no_grad()
    def step(self):
        """
        Keras's apply: with gradient_accumulation_steps the gradients are summed and every n-th
        batch updates with their mean; with use_ema the moving averages follow each batch
        (momentum 0 on the first update, the weights overwritten every ema_overwrite_frequency).
        """
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        n = self.accumulation
        if not n:
            self._update(grads)
        elif (self.iterations + 1) % n == 0:
            self._update([(g + a) / n for g, a in zip(grads, self.accumulators)])
            for a in self.accumulators:
                a.zero_()
        else:
            for a, g in zip(self.accumulators, grads):
                a.add_(g)
        if self.use_ema:
            k = self.update_steps()
            m = self.ema_momentum if k != 0 else 0.0
            freq = self.ema_overwrite_frequency
            for w, avg in zip(self.params, self.averages):
                avg.copy_(m * avg + (1 - m) * w)
                if freq and (k + 1) % freq == 0:
                    w.copy_(avg)
        self.iterations += 1

    @torch.no_grad()
    def finalize(self):
        """Keras's finalize_variable_values at the end of fit: with use_ema, the averages."""
        for w, avg in zip(self.params, self.averages):
            w.copy_(avg)

    def _update(self, grads):
        grads = self._clip(grads)
        lr = self.lr()
        t = self.update_steps() + 1
        if self.name == "Nadam":
            # Keras's _u_product: advanced once per step, before any weight's update.
            self.u_product = getattr(self, "u_product", 1.0) * _nadam_mu(self.hp["beta_1"], t)
        for w, g, s in zip(self.params, grads, self.slots):
            if self.weight_decay:
                w.sub_(w * self.weight_decay * lr)
            getattr(self, "_" + self.name.lower())(w, g, s, lr, t, **self.hp)

    def _sgd(self, w, g, s, lr, t, momentum=0.0, nesterov=False):
        if not momentum:
            w.sub_(g * lr)
            return
        m = s.setdefault("momentum", torch.zeros_like(w))
        m.copy_(m * momentum - g * lr)
        w.add_(m * momentum - g * lr if nesterov else m)

    def _adam(self, w, g, s, lr, t, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
        m = s.setdefault("m", torch.zeros_like(w))
        v = s.setdefault("v", torch.zeros_like(w))
        alpha = lr * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        m.add_((g - m) * (1 - beta_1))
        v.add_((g * g - v) * (1 - beta_2))
        if amsgrad:
            v_hat = s.setdefault("v_hat", torch.zeros_like(w))
            v_hat.copy_(torch.maximum(v_hat, v))
            v = v_hat
        w.sub_(m * alpha / (torch.sqrt(v) + epsilon))

    _adamw = _adam

    def _rmsprop(self, w, g, s, lr, t, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
        v = s.setdefault("velocity", torch.zeros_like(w))
        v.copy_(rho * v + (1 - rho) * g * g)
        den = v + epsilon
        if centered:
            a = s.setdefault("average_gradient", torch.zeros_like(w))
            a.copy_(rho * a + (1 - rho) * g)
            den = v - a * a + epsilon
        inc = lr * g / torch.sqrt(den)
        if momentum > 0:
            m = s.setdefault("momentum", torch.zeros_like(w))
            m.copy_(momentum * m + inc)
            w.sub_(m)
        else:
            w.sub_(inc)

    def _adagrad(self, w, g, s, lr, t, initial_accumulator_value=0.1, epsilon=1e-7):
        acc = s.setdefault("accumulator", torch.full_like(w, initial_accumulator_value))
        acc.add_(g * g)
        w.sub_(lr * g / torch.sqrt(acc + epsilon))

    def _adadelta(self, w, g, s, lr, t, rho=0.95, epsilon=1e-7):
        eg = s.setdefault("accumulated_grad", torch.zeros_like(w))
        ed = s.setdefault("accumulated_delta_var", torch.zeros_like(w))
        eg.copy_(rho * eg + (1 - rho) * g * g)
        delta = -torch.sqrt(ed + epsilon) * g / torch.sqrt(eg + epsilon)
        ed.copy_(rho * ed + (1 - rho) * delta * delta)
        w.add_(lr * delta)

    def _adamax(self, w, g, s, lr, t, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        m = s.setdefault("m", torch.zeros_like(w))
        u = s.setdefault("u", torch.zeros_like(w))
        m.add_((g - m) * (1 - beta_1))
        u.copy_(torch.maximum(beta_2 * u, torch.abs(g)))
        w.sub_(lr * m / ((1 - beta_1 ** t) * (u + epsilon)))

    def _nadam(self, w, g, s, lr, t, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        m = s.setdefault("m", torch.zeros_like(w))
        v = s.setdefault("v", torch.zeros_like(w))
        u_t, u_next = _nadam_mu(beta_1, t), _nadam_mu(beta_1, t + 1)
        m.add_((g - m) * (1 - beta_1))
        v.add_((g * g - v) * (1 - beta_2))
        m_hat = u_next * m / (1 - self.u_product * u_next) + (1 - u_t) * g / (1 - self.u_product)
        v_hat = v / (1 - beta_2 ** t)
        w.sub_(m_hat * lr / (torch.sqrt(v_hat) + epsilon))


# The model's common methods: weights in Keras's order, the compiled loss, Keras's fit loop.


class KerasModel(nn.Module):
    # Keras's mask on each output (from Embedding(mask_zero=True)), set by forward; the loss
    # reads it.
    output_masks = None

    def keras_layers(self):
        return list(self.layers.values())

    def get_weights(self):
        return [w.detach().numpy().copy() for l in self.keras_layers() for w in l.keras_weights()]

    @torch.no_grad()
    def set_weights(self, arrays):
        weights = [w for l in self.keras_layers() for w in l.keras_weights()]
        if len(arrays) != len(weights):
            raise ValueError("expected %d weights, got %d" % (len(weights), len(arrays)))
        for w, a in zip(weights, arrays):
            a = torch.as_tensor(np.array(a, dtype=np.float32))
            if tuple(a.shape) != tuple(w.shape):
                raise ValueError("weight shape %s does not fit %s" % (a.shape, tuple(w.shape)))
            w.copy_(a)

    def load_base64(self, text):
        flat = np.frombuffer(base64.b64decode(text), dtype="<f4")
        arrays, at = [], 0
        for w in (w for l in self.keras_layers() for w in l.keras_weights()):
            n = w.numel()
            arrays.append(flat[at:at + n].reshape(tuple(w.shape)))
            at += n
        if at != flat.size:
            raise ValueError("the embedded weights do not fit the model")
        self.set_weights(arrays)

    def predict(self, *xs, batch_size=32):
        self.eval()
        with torch.no_grad():
            n = xs[0].shape[0]
            parts = [self(*(torch.as_tensor(x, dtype=torch.float32)[i:i + batch_size] for x in xs))
                     for i in range(0, n, batch_size)]
        if isinstance(parts[0], tuple):
            return tuple(torch.cat(p).numpy() for p in zip(*parts))
        return torch.cat(parts).numpy()

    def compute_loss(self, outputs, targets):
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        masks = self.output_masks or [None] * len(outputs)
        total, logged = 0.0, 0.0
        for f, w, o, y, name, mask in zip(self.losses, self.loss_weights, outputs, targets,
                                          self.output_layers, masks):
            layer = self.layers[name] if name is not None else None
            act = getattr(getattr(layer, "activation", None), "keras_name", None)
            value = w * f(o, y, act, getattr(layer, "logits", None), mask)
            total = total + value
            logged = logged + (value / math.prod(o.shape[:-1]) if f.reduction == "none" else value)
        regularization = sum(l.regularization_loss() for l in self.keras_layers())
        self.logged_loss = float(logged + regularization)  # what Keras reports
        return total + regularization

    def train_on_batch(self, xs, ys, optimizer):
        """One Keras train step: forward in training mode, loss, gradients, update, constraints."""
        return model_step(self, self, xs, ys, optimizer)

    def evaluate(self, xs, ys):
        """The compiled loss on (xs, ys) in inference mode, as Keras's validation loss."""
        self.eval()
        with torch.no_grad():
            self.compute_loss(self(*xs), ys)
            return self.logged_loss

    def fit(self, x, y, epochs=1, batch_size=32, shuffle=True, validation_split=0.0,
            optimizer=None, model=None, rank=0, world_size=1, verbose=True):
        """
        Keras's fit loop: validation_split holds out the last samples (before any shuffling);
        each epoch the rest are shuffled, then taken in batches of batch_size, the last one
        smaller. Under DDP (world_size > 1) every process draws the same permutation and takes
        its own share of each batch; 'model' is then the DDP wrapper.
        """
        xs = [torch.as_tensor(a, dtype=torch.float32) for a in (x if isinstance(x, list) else [x])]
        ys = [torch.as_tensor(a, dtype=torch.float32) for a in (y if isinstance(y, list) else [y])]
        optimizer = optimizer or self.make_optimizer()
        model = model or self
        n = int(xs[0].shape[0] * (1 - validation_split)) if validation_split else xs[0].shape[0]
        val = ([a[n:] for a in xs], [a[n:] for a in ys]) if validation_split else None
        xs, ys = [a[:n] for a in xs], [a[:n] for a in ys]
        history = []
        for epoch in range(epochs):
            order = torch.randperm(n) if shuffle else torch.arange(n)
            total, count = 0.0, 0
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size][rank::world_size]
                loss = model_step(model, self, [a[idx] for a in xs], [a[idx] for a in ys],
                                  optimizer)
                total += loss * len(idx)
                count += len(idx)
            history.append(total / max(count, 1))
            line = "epoch %d/%d - loss: %.4f" % (epoch + 1, epochs, history[-1])
            if val is not None:
                line += " - val_loss: %.4f" % self.evaluate(*val)
            if verbose and rank == 0:
                print(line, flush=True)
        if hasattr(optimizer, "finalize"):  # a KerasOptimizer (not a torch.optim one)
            optimizer.finalize()
        return history


def model_step(model, inner, xs, ys, optimizer):
    """train_on_batch through 'model' (the module itself, or its DDP wrapper)."""
    inner.train()
    optimizer.zero_grad()
    loss = inner.compute_loss(model(*xs), ys)
    loss.backward()
    optimizer.step()
    for l in inner.keras_layers():
        l.apply_constraints()
    return inner.logged_loss


def read_csv(path, target, features, classes=None):
    """
    A CSV with a header: the feature columns (in the model's order) and the target column,
    whose class names (when the training had them) become their index among classes.
    """
    import csv
    import gzip

    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    names = features if features else [h for h in header if h != target]
    cols = [header.index(h) for h in names]
    t = header.index(target)
    x = np.array([[float(r[c]) for c in cols] for r in rows], dtype=np.float32)
    label = (lambda v: classes.index(v)) if classes else float
    y = np.array([[label(r[t])] for r in rows], dtype=np.float32)
    return x, y
`;
