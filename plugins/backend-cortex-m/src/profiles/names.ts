/** The targets this plugin provides, in the order of its manifest's `provides.targets`. */
export const CORTEX_M_TARGET_NAMES = ['cortex-m0plus', 'cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'] as const;

/** One of the Cortex-M target names. */
export type CortexMTargetName = (typeof CORTEX_M_TARGET_NAMES)[number];
