// Loads the native addon through napi's generated loader (index.js at the package root), which
// picks the `.node` file for this platform. Types come from napi's generated index.d.ts.

// eslint-disable-next-line @typescript-eslint/no-var-requires
const binding: typeof import('../index') = require('../index.js')

export const NativeProducer = binding.NativeProducer
export const NativeConsumer = binding.NativeConsumer
export const NativeAdmin = binding.NativeAdmin
export const startNativeBroker = binding.startBroker
export type NativeProducer = import('../index').NativeProducer
export type NativeConsumer = import('../index').NativeConsumer
export type NativeAdmin = import('../index').NativeAdmin
export type NativeBroker = import('../index').NativeBroker
export type Delivery = import('../index').Delivery
export type RequestEventJs = import('../index').RequestEventJs
