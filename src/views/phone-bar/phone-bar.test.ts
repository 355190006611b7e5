import { describe, expect, it } from 'vitest';
import { batchSizeStopIndex } from '../../settings/settings';
import { showPhoneBar } from './phone-bar';

describe('the phone’s batch-size bar', () => {
  it('shows only on a narrow page, with the slider away and the loss plot on screen', () => {
    expect(showPhoneBar({ narrow: true, sliderOnScreen: false, lossOnScreen: true })).toBe(true);
    expect(showPhoneBar({ narrow: false, sliderOnScreen: false, lossOnScreen: true })).toBe(false);
    expect(showPhoneBar({ narrow: true, sliderOnScreen: true, lossOnScreen: true })).toBe(false);
    expect(showPhoneBar({ narrow: true, sliderOnScreen: false, lossOnScreen: false })).toBe(false);
  });
  it('puts B on the slider’s stops', () => {
    expect(batchSizeStopIndex(512, 32)).toEqual({ index: 5, stops: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
    expect(batchSizeStopIndex(512, 3).index).toBe(2);
    expect(batchSizeStopIndex(512, 9999).index).toBe(9);
    expect(batchSizeStopIndex(100, 100).index).toBe(7);
  });
});
