/**
 * RmiDataFlags: X5 of RMI_DATA_CREATE, whether the content of the new data granule is measured.
 *
 * ```text
 * RmiDataMeasureContent: 0 NO_MEASURE, 1 MEASURE.
 * flags ∉ {0 (RMI_NO_MEASURE_CONTENT), 1 (RMI_MEASURE_CONTENT)} → INPUT.
 * ```
 * @module
 */

/**
 * RmiDataMeasureContent. TF-RMM compares X5 as a whole value: anything but 0 or 1 is
 * RMI_ERROR_INPUT.
 * @see rmm-abi.md §2.18, §3.7
 * @since 0.1.0
 */
export const RmiDataMeasureContent = {
  /** `RMI_NO_MEASURE_CONTENT` */
  NoMeasure: 0,
  /** `RMI_MEASURE_CONTENT` */
  Measure: 1,
} as const;
/** An RmiDataMeasureContent. @see rmm-abi.md §3.7 @since 0.1.0 */
export type RmiDataMeasureContent =
  (typeof RmiDataMeasureContent)[keyof typeof RmiDataMeasureContent];
