"""The deep-learning losses, computed as PyTorch and Keras compute them (numpy only).

``coding.losses.pytorch`` mirrors ``torch.nn.functional`` (functions);
``coding.losses.keras`` mirrors ``keras.losses`` (classes). Neither imports
a framework. :func:`telegraph_bill` shows the bridge: a model's mean
cross-entropy loss, in bits, is what an ideal code built on that model pays
per ball.
"""

from coding.losses import keras, pytorch
from coding.losses.bill import LOSS_MAPPING, Bill, LossRole, nats_to_bits, telegraph_bill

__all__ = ["LOSS_MAPPING", "Bill", "LossRole", "keras", "nats_to_bits", "pytorch", "telegraph_bill"]
