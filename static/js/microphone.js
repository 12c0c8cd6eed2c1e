/* The microphone: the only part of listening that touches a device. One spoken command in,
 * one 16 kHz WAV out.
 *
 * Opens the microphone through an AudioWorklet (static/recorder-worklet.js) or, where there is
 * none, a ScriptProcessor; the samples go through segmenter.js, the utterance through wav.js.
 */
import { TARGET_RATE, createResampler, createSegmenter } from "./segmenter.js";
import { encodeWav } from "./wav.js";

/** Why the microphone could not be used: "denied", "missing", "busy", "unsupported",
 * "blocked" (the browser wants a tap first) or "failed". */
export class MicError extends Error {
  constructor(reason, cause) {
    super(cause && cause.message ? reason + ": " + cause.message : reason);
    this.name = "MicError";
    this.reason = reason;
  }
}

const ERROR_REASONS = Object.freeze({
  NotAllowedError: "denied",
  PermissionDeniedError: "denied",
  SecurityError: "denied",
  NotFoundError: "missing",
  DevicesNotFoundError: "missing",
  OverconstrainedError: "missing",
  NotReadableError: "busy",
  TrackStartError: "busy",
  AbortError: "busy",
});

function micError(err) {
  if (err instanceof MicError) return err;
  return new MicError(ERROR_REASONS[err && err.name] || "failed", err);
}

// Echo cancellation is a second guard (the page never listens while it speaks). Noise
// suppression and gain control are off: the server scales and denoises each recording itself,
// and both change the sounds its recogniser scores. Noise suppression smears consonants
// ("next step" with it came back empty in 3 of 3 runs, right in 3 of 3 without it). Gain
// control compresses a word's loudness (the soft "n" of "next" raised 15 dB, its vowel 4 dB,
// the peaks limited): a clean "next step" played into Chromium's fake microphone then fell
// to the recogniser's confidence cut-off of the time (3 of 21 recordings came back empty),
// and stayed well above it without gain control (90 of 90 understood).
const CONSTRAINTS = Object.freeze({
  audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false },
  video: false,
});
// Without a tap on the page since it loaded, Chromium leaves an AudioContext suspended and
// resume() pending; after this long, say so instead of waiting silently.
const RESUME_WAIT_MS = 1500;
const SCRIPT_PROCESSOR_FRAMES = 4096;

function resumed(context) {
  if (context.state === "running") return Promise.resolve();
  const wait = new Promise((resolve) => { window.setTimeout(resolve, RESUME_WAIT_MS); });
  return Promise.race([context.resume(), wait]).then(() => {
    if (context.state !== "running") throw new MicError("blocked");
  });
}

function audioContextClass() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) throw new MicError("unsupported");
  return Context;
}

function mediaDevices() {
  const media = navigator.mediaDevices;
  if (!media || typeof media.getUserMedia !== "function") throw new MicError("unsupported");
  return media;
}

async function askForStream(media) {
  try {
    return await media.getUserMedia(CONSTRAINTS);
  } catch (err) {
    throw micError(err);
  }
}

function disconnect(mic) {
  mic.stream.getTracks().forEach((track) => track.stop());
  mic.source.disconnect();
  mic.node.disconnect();
  mic.sink.disconnect();
  if (mic.node.port) mic.node.port.postMessage("stop");
}

/**
 * The microphone, opened on demand. open() asks for it (rejects with a MicError); listen()
 * starts cutting one utterance out of it; pause() drops what was heard and stops listening
 * (the stream stays open); finish() ends the utterance now; close() releases the device.
 * onEvent gets the segmenter's "level", "start", "discard" and "nothing" events, then
 * {type: "utterance", wav: ArrayBuffer, seconds, capped}, or {type: "lost"} if the device goes.
 */
export class Listener {
  constructor({ workletUrl, onEvent, vad }) {
    this.workletUrl = workletUrl;
    this.onEvent = onEvent;
    this.vadOptions = vad;
    this.context = null;
    this.worklet = null; // addModule() promise: once per context
    this.workletFailed = false;
    this.mic = null;
    this.opening = null;
    this.resampler = null;
    this.segmenter = null; // one per opened stream: each measures its own noise floor
    this.listening = false;
  }

  /** Ask for the microphone (once; later calls share the first). */
  open() {
    if (this.mic) return Promise.resolve();
    this.opening = this.opening || this.openNow().finally(() => { this.opening = null; });
    return this.opening;
  }

  listen() {
    if (!this.mic) return false;
    this.resampler = createResampler(this.context.sampleRate, TARGET_RATE);
    this.segmenter.reset();
    this.listening = true;
    return true;
  }

  pause() {
    this.listening = false;
    if (this.segmenter) this.segmenter.reset();
  }

  finish() {
    if (this.listening) this.segmenter.finish();
  }

  close() {
    this.pause();
    if (!this.mic) return;
    const mic = this.mic;
    this.mic = null;
    this.resampler = null;
    disconnect(mic);
    if (this.context && this.context.state === "running") this.context.suspend().catch(() => {});
  }

  get isOpen() {
    return this.mic !== null;
  }

  get isListening() {
    return this.listening;
  }

  /** True once speech has started in the current utterance. */
  get hearing() {
    return this.listening && this.segmenter !== null && this.segmenter.speaking;
  }

  async openNow() {
    const media = mediaDevices();
    const Context = audioContextClass();
    this.context = this.context || new Context();
    const stream = await askForStream(media);
    try {
      this.mic = await this.connect(this.context, stream);
      this.segmenter = createSegmenter((event) => this.onSegment(event), this.vadOptions);
    } catch (err) {
      stream.getTracks().forEach((track) => track.stop());
      throw micError(err);
    }
    stream.getAudioTracks().forEach((track) => track.addEventListener("ended", () => {
      if (this.mic && this.mic.stream === stream) {
        this.close();
        this.onEvent({ type: "lost" });
      }
    }));
  }

  // Capture nodes only run when connected to the output; a muted gain keeps them silent.
  async connect(ctx, stream) {
    await resumed(ctx);
    const node = await this.captureNode(ctx);
    const source = ctx.createMediaStreamSource(stream);
    const sink = ctx.createGain();
    sink.gain.value = 0;
    source.connect(node);
    node.connect(sink);
    sink.connect(ctx.destination);
    return { stream: stream, source: source, node: node, sink: sink };
  }

  async captureNode(ctx) {
    if (!this.workletFailed && this.workletUrl && ctx.audioWorklet &&
        typeof AudioWorkletNode === "function") {
      try {
        return await this.workletNode(ctx);
      } catch (_err) {
        this.workletFailed = true; // an old browser or a blocked module: use the fallback below
      }
    }
    const node = ctx.createScriptProcessor(SCRIPT_PROCESSOR_FRAMES, 1, 1);
    node.onaudioprocess = (event) => this.onChunk(new Float32Array(event.inputBuffer.getChannelData(0)));
    return node;
  }

  async workletNode(ctx) {
    this.worklet = this.worklet || ctx.audioWorklet.addModule(this.workletUrl);
    await this.worklet;
    const node = new AudioWorkletNode(ctx, "coach-recorder", { outputChannelCount: [1] });
    node.port.onmessage = (event) => this.onChunk(event.data);
    return node;
  }

  onChunk(chunk) {
    if (this.listening && this.resampler) this.segmenter.push(this.resampler.push(chunk));
  }

  onSegment(event) {
    if (event.type === "utterance" || event.type === "nothing") this.listening = false;
    if (event.type !== "utterance") {
      this.onEvent(event);
      return;
    }
    this.onEvent({
      type: "utterance",
      wav: encodeWav(event.samples, TARGET_RATE),
      seconds: event.samples.length / TARGET_RATE,
      capped: event.capped,
    });
  }
}
