/* From microphone samples to one spoken command, with no device in sight (pure, testable).
 *
 * A resampler (any rate to 16 kHz mono), an energy-based voice-activity detector over 20 ms
 * frames, and a segmenter that cuts one utterance out of the stream. microphone.js feeds them.
 */

export const TARGET_RATE = 16000; // what the server's recogniser expects
export const FRAME_MS = 20;
const FRAME_SAMPLES = (TARGET_RATE * FRAME_MS) / 1000;
// Windowed-sinc low-pass taps on each side of the centre: enough to keep 8–24 kHz from folding
// into the speech band at 48 kHz, cheap enough to run per sample on the page.
const LOW_PASS_HALF_TAPS = 16;
// Cut-off as a fraction of the output Nyquist frequency: leaves the filter room to roll off.
const LOW_PASS_FRACTION = 0.9;

export const VAD = Object.freeze({
  frameMs: FRAME_MS,
  /** Speech starts this far above the noise floor (×3.2 in amplitude is about +10 dB)… */
  startRatio: 3.2,
  /** …and counts as silence only below this, so soft word endings stay in (hysteresis). */
  keepRatio: 2,
  /** Nothing quieter than this is speech, however quiet the room (about −42 dBFS). */
  minSpeechRms: 0.008,
  /** Loud frames in a row before speech starts: a click or a tap on the mat is shorter. */
  onsetFrames: 3,
  /** Silence that ends an utterance: longer than the pauses between the words of a command. */
  endSilenceMs: 700,
  /** Give up when nobody has started speaking for this long. */
  noSpeechMs: 6000,
  /** Longest utterance: no command is this long. With the pre-roll the upload stays under
   * the server's limit of 15 seconds (longer recordings are refused, not cut). */
  maxUtteranceMs: 14500,
  /** From the first to the last loud frame, anything shorter is a knock, not a word. */
  minVoicedMs: 200,
  /** The first frames only measure the room: the floor starts at their quietest. */
  calibrationMs: 100,
  /** The floor follows quieter sound quickly and louder sound slowly (per-frame weights),
   * so a burst of speech barely raises it while a fan switched off lowers it at once. */
  noiseFall: 0.5,
  noiseRise: 0.02,
});
/** Audio kept from before speech was detected, so the first consonant is not clipped. */
const PRE_ROLL_MS = 300;
/** Silence kept after the last loud frame: the recogniser likes a little, not 700 ms. */
const TAIL_MS = 250;

/* ---------- resampling ---------- */

function lowPassTaps(cutoff, half) {
  // cutoff in cycles per input sample; Hann-windowed sinc, normalised to unity gain.
  const taps = new Float32Array(2 * half + 1);
  let sum = 0;
  for (let k = -half; k <= half; k += 1) {
    const x = 2 * cutoff * k;
    const sinc = k === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const hann = 0.5 + 0.5 * Math.cos((Math.PI * k) / (half + 1));
    taps[k + half] = 2 * cutoff * sinc * hann;
    sum += taps[k + half];
  }
  for (let i = 0; i < taps.length; i += 1) taps[i] /= sum;
  return taps;
}

function concat(a, b) {
  const joined = new Float32Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/**
 * Streaming resampler to `toRate`: low-pass at the input rate when going down, then linear
 * interpolation at each output instant. push() takes any chunk size and returns what is ready.
 */
class Resampler {
  constructor(fromRate, toRate) {
    this.ratio = fromRate / toRate;
    this.half = this.ratio > 1 ? LOW_PASS_HALF_TAPS : 0;
    this.taps = this.ratio > 1
      ? lowPassTaps((LOW_PASS_FRACTION * 0.5) / this.ratio, this.half) : new Float32Array([1]);
    this.buffer = new Float32Array(0);
    this.bufferStart = 0; // index of buffer[0] in the whole input stream
    this.produced = 0;
  }

  filtered(index) {
    let sum = 0;
    for (let k = 0; k < this.taps.length; k += 1) {
      const at = index - this.half + k - this.bufferStart;
      if (at >= 0) sum += this.taps[k] * this.buffer[at]; // before the stream began: silence
    }
    return sum;
  }

  push(chunk) {
    this.buffer = concat(this.buffer, chunk);
    const out = [];
    for (;;) {
      const position = this.produced * this.ratio;
      const index = Math.floor(position);
      if (index + 1 + this.half >= this.bufferStart + this.buffer.length) break;
      const a = this.filtered(index);
      out.push(a + (this.filtered(index + 1) - a) * (position - index));
      this.produced += 1;
    }
    const keepFrom = Math.max(this.bufferStart, Math.floor(this.produced * this.ratio) - this.half);
    this.buffer = this.buffer.slice(keepFrom - this.bufferStart);
    this.bufferStart = keepFrom;
    return Float32Array.from(out);
  }
}

export function createResampler(fromRate, toRate) {
  return new Resampler(fromRate, toRate);
}

/* ---------- voice-activity detection ---------- */

export function rms(samples) {
  let sum = 0;
  for (let i = 0; i < samples.length; i += 1) sum += samples[i] * samples[i];
  return samples.length > 0 ? Math.sqrt(sum / samples.length) : 0;
}

/**
 * Energy-based voice-activity detector: push() one frame's RMS, get what happened.
 * "quiet" (waiting), "start" (speech began onsetFrames ago), "speech", "end" (an utterance is
 * complete), "discard" (too short to be speech: waiting again), "timeout" (no speech for
 * noSpeechMs), "cap" (utterance reached maxUtteranceMs). reset() keeps the noise floor.
 */
class Vad {
  constructor(options) {
    this.o = Object.assign({}, VAD, options);
    this.noiseFloor = Infinity;
    this.calibrating = this.frames(this.o.calibrationMs);
    this.reset();
  }

  frames(ms) {
    return Math.max(1, Math.round(ms / this.o.frameMs));
  }

  reset() {
    this.phase = "waiting";
    this.waited = 0;
    this.loud = 0;
    this.length = 0;
    /** Frames from the first onset frame to the last loud one, in the current utterance. */
    this.voicedFrames = 0;
  }

  threshold(ratio) {
    return Math.max(this.o.minSpeechRms, this.noiseFloor * ratio);
  }

  push(level) {
    return this.phase === "waiting" ? this.waiting(level) : this.speaking(level);
  }

  waiting(level) {
    const o = this.o;
    this.waited += 1;
    if (this.calibrating > 0) {
      this.calibrating -= 1;
      this.noiseFloor = Math.min(this.noiseFloor, level);
    } else if (level >= this.threshold(o.startRatio)) {
      this.loud += 1;
      if (this.loud >= o.onsetFrames) {
        this.phase = "speech";
        this.length = this.loud;
        this.voicedFrames = this.loud;
        this.loud = 0;
        return "start";
      }
    } else {
      this.loud = 0;
      this.noiseFloor += (level - this.noiseFloor) * (level < this.noiseFloor ? o.noiseFall : o.noiseRise);
    }
    return this.waited >= this.frames(o.noSpeechMs) ? "timeout" : "quiet";
  }

  speaking(level) {
    const o = this.o;
    this.length += 1;
    if (level >= this.threshold(o.keepRatio)) this.voicedFrames = this.length;
    if (this.length >= this.frames(o.maxUtteranceMs)) return "cap";
    if (this.length - this.voicedFrames < this.frames(o.endSilenceMs)) return "speech";
    if (this.voicedFrames >= this.frames(o.minVoicedMs)) return "end";
    this.waited += this.length;
    this.length = 0;
    this.phase = "waiting";
    return this.waited >= this.frames(o.noSpeechMs) ? "timeout" : "discard";
  }
}

export function createVad(options) {
  return new Vad(options);
}

/* ---------- segmentation: 16 kHz samples in, one utterance out ---------- */

function joinFrames(list) {
  const out = new Float32Array(list.reduce((n, frame) => n + frame.length, 0));
  let at = 0;
  list.forEach((frame) => {
    out.set(frame, at);
    at += frame.length;
  });
  return out;
}

/**
 * Cuts 20 ms frames of 16 kHz audio into one utterance with the VAD. Calls onEvent with
 * {type: "level", rms}, {type: "start"}, {type: "utterance", samples, capped},
 * {type: "discard"} or {type: "nothing"}; after "utterance" or "nothing" it stays idle until
 * reset(). finish() ends the utterance now ("utterance" if speech had started, else nothing).
 */
class Segmenter {
  constructor(onEvent, options) {
    this.onEvent = onEvent;
    this.vad = new Vad(options);
    this.onsetFrames = this.vad.o.onsetFrames;
    this.ringSize = Math.round(PRE_ROLL_MS / FRAME_MS) + this.onsetFrames; // onset frames are in the ring at "start"
    this.tailFrames = Math.round(TAIL_MS / FRAME_MS);
    this.lead = 0; // frames of the utterance before its first onset frame
    this.reset();
  }

  /** Start again: forget any partial utterance, keep the noise floor. */
  reset() {
    this.vad.reset();
    this.pending = new Float32Array(0);
    this.ring = [];
    this.utterance = null; // pre-roll and onset frames, then every frame while speech goes on
    this.done = false;
  }

  push(samples) {
    if (this.done) return;
    const joined = concat(this.pending, samples);
    let at = 0;
    while (!this.done && at + FRAME_SAMPLES <= joined.length) {
      this.onFrame(joined.subarray(at, at + FRAME_SAMPLES));
      at += FRAME_SAMPLES;
    }
    this.pending = this.done ? new Float32Array(0) : joined.slice(at);
  }

  /** The person pressed the button again: send what was said, or nothing. */
  finish() {
    if (this.done) return;
    if (this.utterance) {
      this.emitUtterance(false);
    } else {
      this.done = true;
      this.onEvent({ type: "nothing" });
    }
  }

  get speaking() {
    return this.utterance !== null;
  }

  emitUtterance(capped) {
    const keep = this.lead + this.vad.voicedFrames + this.tailFrames;
    const samples = joinFrames(this.utterance.slice(0, keep));
    this.utterance = null;
    this.done = true;
    this.onEvent({ type: "utterance", samples: samples, capped: capped });
  }

  onFrame(frame) {
    const level = rms(frame);
    this.onEvent({ type: "level", rms: level });
    if (this.utterance) {
      this.utterance.push(frame);
    } else {
      this.ring.push(frame);
      if (this.ring.length > this.ringSize) this.ring.shift();
    }
    this.onVad(this.vad.push(level));
  }

  onVad(event) {
    if (event === "start") {
      this.lead = this.ring.length - this.onsetFrames;
      this.utterance = this.ring;
      this.ring = [];
      this.onEvent({ type: "start" });
    } else if (event === "end" || event === "cap") {
      this.emitUtterance(event === "cap");
    } else if (event === "discard") {
      this.ring = this.utterance.slice(-this.ringSize);
      this.utterance = null;
      this.onEvent({ type: "discard" });
    } else if (event === "timeout") {
      this.done = true;
      this.onEvent({ type: "nothing" });
    }
  }
}

export function createSegmenter(onEvent, options) {
  return new Segmenter(onEvent, options);
}
