export type { ActivationClamp, Dims4, PerChannelQuant, PerTensorQuant, Tile } from './types.js';
export { conv1x1S8, convS8, type ConvS8Args } from './conv.js';
export { depthwiseConvS8, type DepthwiseConvS8Args } from './depthwise.js';
export { fullyConnectedS8, type FullyConnectedS8Args } from './fully-connected.js';
export { broadcastShape } from './broadcast.js';
export { addS8, mulS8, type AddS8Args, type MulS8Args, type MulS8Params } from './elementwise.js';
export { avgPoolRound, avgPoolS8, maxPoolS8, type PoolS8Args } from './pooling.js';
export { softmaxS8, type SoftmaxS8Args } from './softmax.js';
export { logisticS8, tanhS8 } from './activations.js';
export { requantizeS8, reshapeS8, type RequantizeS8Params } from './data-movement.js';
export {
  avgPoolS8BufferSize,
  convolve1x1S8FastBufferSize,
  convolve1xNS8BufferSize,
  convolveS8BufferSize,
  convolveWrapperS8BufferSize,
  convolveWrapperS8Kernel,
  depthwiseConvWrapperS8BufferSize,
  depthwiseConvWrapperS8Kernel,
  fullyConnectedS8BufferSize,
  noScratchBufferSize,
  type ConvGeometry,
  type ConvKernelName,
  type CpuFeature,
  type DepthwiseKernelName,
} from './buffer-size.js';
export { lookupTableS8 } from './lut.js';
export { avgPoolS16, convS16, depthwiseConvS16, fullyConnectedS16, maxPoolS16, type ConvS16Args, type FullyConnectedS16Args, type PoolS16Args } from './int16.js';
export { addS16, mulS16 } from './elementwise-s16.js';
