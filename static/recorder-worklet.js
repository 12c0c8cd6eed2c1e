/* Audio worklet for the coach page's microphone: mixes the input down to mono and posts it to
 * the page in batches. Resampling and voice detection happen on the page (static/listen.js), so
 * the ScriptProcessor fallback shares them. Served as a static file: the CSP allows no blob:
 * scripts.
 */
"use strict";

// About 21 ms at 48 kHz: few enough messages, short enough that "Listening…" reacts at once.
const BATCH_FRAMES = 1024;

class CoachRecorder extends AudioWorkletProcessor {
  constructor() {
    super();
    this.batch = new Float32Array(BATCH_FRAMES);
    this.filled = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data === "stop") this.running = false;
    };
  }

  process(inputs) {
    const channels = inputs[0];
    if (!this.running) return false;
    if (!channels || channels.length === 0) return true;
    const frames = channels[0].length;
    for (let i = 0; i < frames; i += 1) {
      let sum = 0;
      for (let c = 0; c < channels.length; c += 1) sum += channels[c][i];
      this.batch[this.filled] = sum / channels.length;
      this.filled += 1;
      if (this.filled === BATCH_FRAMES) {
        this.port.postMessage(this.batch, [this.batch.buffer]);
        this.batch = new Float32Array(BATCH_FRAMES);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor("coach-recorder", CoachRecorder);
