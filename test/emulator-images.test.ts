// Images in prompts: header decoding (PNG, JPEG, GIF, WebP), each provider's documented token rule,
// the tokens showing up in usage through the official clients, and the 400s for bad image data.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { readImageHeader } from '../emulator/imageSize.js';
import { anthropicImageTokens, openaiImageTokens } from '../emulator/imageTokens.js';
import { createEmulator, type Emulator } from '../emulator/server.js';

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A complete, valid grey PNG (8-bit greyscale). */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter byte per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** JPEG start: SOI, a JFIF APP0 segment, then a baseline SOF0 frame header. */
function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, 0xc0, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 3]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(9), Buffer.from([0xff, 0xd9])]);
}

function gifHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return b;
}

function webpHeader(kind: 'VP8 ' | 'VP8L' | 'VP8X', width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(22, 4);
  b.write('WEBP', 8, 'latin1');
  b.write(kind, 12, 'latin1');
  if (kind === 'VP8 ') {
    b.set([0x9d, 0x01, 0x2a], 23);
    b.writeUInt16LE(width, 26);
    b.writeUInt16LE(height, 28);
  } else if (kind === 'VP8L') {
    b[20] = 0x2f;
    b.writeUInt32LE(((height - 1) << 14) | (width - 1), 21);
  } else {
    b.writeUIntLE(width - 1, 24, 3);
    b.writeUIntLE(height - 1, 27, 3);
  }
  return b;
}

describe('emulator: images', () => {
  let emu: Emulator;
  let openai: OpenAI;
  let anthropic: Anthropic;
  before(async () => {
    emu = await createEmulator();
    openai = new OpenAI({ apiKey: 'sk-test', baseURL: emu.openaiBaseURL, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emu.url, maxRetries: 0 });
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  test('reads the size of PNG, JPEG, GIF and the three WebP variants', () => {
    assert.deepEqual(readImageHeader(png(3, 2)), { mediaType: 'image/png', width: 3, height: 2 });
    assert.deepEqual(readImageHeader(jpegHeader(640, 480)), {
      mediaType: 'image/jpeg',
      width: 640,
      height: 480,
    });
    assert.deepEqual(readImageHeader(gifHeader(300, 200)), {
      mediaType: 'image/gif',
      width: 300,
      height: 200,
    });
    for (const kind of ['VP8 ', 'VP8L', 'VP8X'] as const) {
      assert.deepEqual(readImageHeader(webpHeader(kind, 1000, 700)), {
        mediaType: 'image/webp',
        width: 1000,
        height: 700,
      });
    }
    assert.equal(readImageHeader(Buffer.from('not an image at all')), undefined);
    assert.equal(readImageHeader(png(3, 2).subarray(0, 18)), undefined, 'a header cut short');
  });

  test('token rules match the providers’ documented examples', () => {
    assert.equal(openaiImageTokens(1024, 1024, 'high'), 765);
    assert.equal(openaiImageTokens(2048, 4096, 'high'), 1105);
    assert.equal(openaiImageTokens(4096, 8192, 'low'), 85);
    assert.equal(openaiImageTokens(512, 512, 'auto'), 255);
    assert.equal(anthropicImageTokens(1092, 1092), 1590);
    assert.equal(anthropicImageTokens(200, 200), 54);
    assert.ok(anthropicImageTokens(4000, 3000) <= 1600, 'large images are scaled down first');
  });

  test('OpenAI: image tokens are added to prompt_tokens, by detail; URL images assume 1024x1024', async () => {
    const ask = (content: OpenAI.ChatCompletionContentPart[] | string) =>
      openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });
    const text = (await ask('Describe')).usage?.prompt_tokens ?? 0;
    const dataUrl = `data:image/png;base64,${png(1024, 1024).toString('base64')}`;
    const withImage = (url: string, detail?: 'low' | 'high' | 'auto') =>
      ask([
        { type: 'text', text: 'Describe' },
        { type: 'image_url', image_url: detail ? { url, detail } : { url } },
      ]);
    assert.equal(((await withImage(dataUrl, 'high')).usage?.prompt_tokens ?? 0) - text, 765);
    assert.equal(((await withImage(dataUrl, 'low')).usage?.prompt_tokens ?? 0) - text, 85);
    const jpeg = `data:image/jpeg;base64,${jpegHeader(2048, 4096).toString('base64')}`;
    assert.equal(((await withImage(jpeg)).usage?.prompt_tokens ?? 0) - text, 1105);
    assert.equal(((await withImage('https://example.com/cat.png')).usage?.prompt_tokens ?? 0) - text, 765);

    const logged = emu.calls().map((c) => c.images);
    assert.equal(logged[0], undefined);
    assert.deepEqual(logged[1], [
      {
        source: 'base64',
        mediaType: 'image/png',
        width: 1024,
        height: 1024,
        sizeKnown: true,
        detail: 'high',
        tokens: 765,
      },
    ]);
    assert.deepEqual(logged[4], [
      {
        source: 'url',
        mediaType: undefined,
        width: 1024,
        height: 1024,
        sizeKnown: false,
        detail: 'auto',
        tokens: 765,
      },
    ]);

    const a = await withImage(dataUrl, 'high');
    const b = await withImage(`data:image/png;base64,${png(1024, 1000).toString('base64')}`, 'high');
    assert.notEqual(a.id, b.id, 'a different image is a different request');
  });

  test('Anthropic: image tokens in input_tokens and count_tokens, including inside tool results', async () => {
    const data = png(800, 600).toString('base64');
    const image: Anthropic.ImageBlockParam = {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data },
    };
    const params = { model: 'claude-haiku-4-5', max_tokens: 100 };
    const text = await anthropic.messages.create({
      ...params,
      messages: [{ role: 'user', content: 'Describe' }],
    });
    const withImage = await anthropic.messages.create({
      ...params,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe' }, image] }],
    });
    assert.equal(withImage.usage.input_tokens - text.usage.input_tokens, 640);
    const counted = await anthropic.messages.countTokens({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe' }, image] }],
    });
    assert.equal(counted.input_tokens, withImage.usage.input_tokens);
    const url = await anthropic.messages.create({
      ...params,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
          ],
        },
      ],
    });
    assert.equal(url.usage.input_tokens - text.usage.input_tokens, anthropicImageTokens(1024, 1024));

    // An image returned by a tool counts too.
    const tool: Anthropic.Tool = { name: 'snapshot', input_schema: { type: 'object', properties: {} } };
    const call = await anthropic.messages.create({
      ...params,
      tools: [tool],
      messages: [{ role: 'user', content: 'Look' }],
    });
    const use = call.content.find((b) => b.type === 'tool_use');
    assert.ok(use?.type === 'tool_use');
    const answered = (content: Anthropic.ToolResultBlockParam['content']) =>
      anthropic.messages.countTokens({
        model: 'claude-haiku-4-5',
        tools: [tool],
        messages: [
          { role: 'user', content: 'Look' },
          { role: 'assistant', content: call.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content }] },
        ],
      });
    const plain = await answered([{ type: 'text', text: 'done' }]);
    const pictured = await answered([{ type: 'text', text: 'done' }, image]);
    assert.equal(pictured.input_tokens - plain.input_tokens, 640);
    assert.deepEqual(
      emu.calls()[1]?.images?.map((i) => [i.width, i.height, i.tokens, i.sizeKnown]),
      [[800, 600, 640, true]],
    );
  });

  test('bad image data is a 400 in each provider’s shape', async () => {
    const openaiImage = (url: string) =>
      openai.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
      });
    await assert.rejects(openaiImage('data:image/png;base64,@@not-base64@@'), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.param, 'messages[0].content[0].image_url.url');
      assert.match(error.message, /invalid base64/);
      return true;
    });
    await assert.rejects(
      openaiImage(`data:image/png;base64,${Buffer.from('plain text').toString('base64')}`),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.equal(error.code, 'invalid_image_format');
        return true;
      },
    );
    const huge = Buffer.concat([png(10, 10), Buffer.alloc(20 * 1024 * 1024)]).toString('base64');
    await assert.rejects(openaiImage(`data:image/png;base64,${huge}`), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.match(error.message, /20 MB/);
      return true;
    });

    const anthropicImage = (data: string, media_type: 'image/png' | 'image/jpeg' = 'image/png') =>
      anthropic.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [
          { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type, data } }] },
        ],
      });
    const anthropic400 = (pattern: RegExp) => (error: unknown) => {
      assert.ok(error instanceof Anthropic.BadRequestError);
      assert.deepEqual(Object.keys(error.error as object), ['type', 'error']);
      assert.match(error.message, pattern);
      return true;
    };
    await assert.rejects(
      anthropicImage('%%%'),
      anthropic400(/messages\.0\.content\.0\.image\.source\.base64: invalid base64 data/),
    );
    const big = Buffer.concat([png(10, 10), Buffer.alloc(5 * 1024 * 1024)]).toString('base64');
    await assert.rejects(
      anthropicImage(big),
      anthropic400(/image exceeds 5 MB maximum: \d+ bytes > 5242880 bytes/),
    );
    await assert.rejects(
      anthropicImage(png(4, 4).toString('base64'), 'image/jpeg'),
      anthropic400(/Image does not match the provided media type image\/jpeg/),
    );
    assert.ok(emu.calls().every((c) => c.status === 400));
  });
});
