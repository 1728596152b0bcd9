import type { KernelTable } from '../types.js';
import { conv } from './conv.js';
import { convTranspose } from './conv-transpose.js';
import { gemm } from './gemm.js';
import { convInteger, matMulInteger } from './integer.js';
import { matMul } from './matmul.js';
import { averagePool, globalAveragePool, maxPool } from './pool.js';
import { qlinearConv, qlinearMatMul } from './qlinear.js';

/** Conv, ConvTranspose, Gemm, MatMul, pooling and the integer/QLinear variants. */
export const LINEAR_KERNELS: KernelTable = {
  Conv: conv,
  ConvTranspose: convTranspose,
  Gemm: gemm,
  MatMul: matMul,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  ConvInteger: convInteger,
  MatMulInteger: matMulInteger,
  QLinearConv: qlinearConv,
  QLinearMatMul: qlinearMatMul,
};
