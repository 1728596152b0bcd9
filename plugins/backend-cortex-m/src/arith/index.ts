export { INT32_MAX, INT32_MIN, frexp, roundHalfAway, roundHalfEven } from './int32.js';
export {
  rdbpotUnchecked,
  roundingDivideByPOT,
  roundingHalfSum,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingMultiplyByPOT,
  srdhmUnchecked,
  srmbpotUnchecked,
  wrapInt32,
} from './fixed-point.js';
export {
  quantizeMultiplier,
  quantizeMultiplierArray,
  quantizeMultiplierGreaterThanOne,
  quantizeMultiplierSmallerThanOneExp,
  reduceMultiplier,
  type QuantizedMultiplier,
  type RoundingMode,
} from './multiplier.js';
export {
  assertMultiplier,
  mbqmDoubleUnchecked,
  mbqmSingleUnchecked,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  multiplyByQuantizedMultiplierInt64,
  multiplyByQuantizedMultiplierPerChannel,
  multiplyByQuantizedMultiplierSmallerThanOneExp,
  requantizerFor,
  type Requantizer,
} from './requantize.js';
export {
  expOnNegativeValues,
  getReciprocal,
  logisticFixedPoint,
  oneMinusXOverOnePlusX,
  oneOverOnePlusX,
  tanhFixedPoint,
} from './transcendental.js';
export {
  activationRange,
  addParams,
  calculateInputRadius,
  convPerChannelMultipliers,
  fullyConnectedMultiplier,
  logisticTanhParams,
  mulMultiplier,
  softmaxParams,
  type AddParams,
  type FusedActivation,
  type SoftmaxS8Params,
  type TranscendentalS8Params,
} from './op-params.js';
export { divideByF32, hardSigmoidF32, lutPopulateS8, type LutEncoding } from './lut.js';
