// The square crop of the profile picture editor: an image covering a square viewport, zoomed and moved by the
// user, never leaving a gap; and the part of the original image that the viewport shows.

export interface Crop {
    /** Zoom over the smallest scale that covers the viewport (1 = cover). */
    zoom: number;
    /** Top-left corner of the scaled image relative to the viewport, in viewport pixels (≤ 0). */
    x: number;
    y: number;
}

/** The scale at which the image's shorter side fills the viewport. */
export const coverScale = (width: number, height: number, view: number) => view / Math.min(width, height);

/** Keep the image over the whole viewport: offsets between (view − scaled size) and 0. */
export function clampCrop(crop: Crop, width: number, height: number, view: number): Crop {
    const zoom = Math.min(Math.max(crop.zoom, 1), 8);
    const s = coverScale(width, height, view) * zoom;
    const clamp = (v: number, size: number) => Math.min(0, Math.max(view - size * s, v));
    return {zoom, x: clamp(crop.x, width), y: clamp(crop.y, height)};
}

/** The centred crop at a zoom. */
export function centreCrop(width: number, height: number, view: number, zoom = 1): Crop {
    const s = coverScale(width, height, view) * zoom;
    return {zoom, x: (view - width * s) / 2, y: (view - height * s) / 2};
}

/** Zoom around the viewport's centre, so the middle of what is shown stays in the middle. */
export function zoomTo(crop: Crop, zoom: number, width: number, height: number, view: number): Crop {
    const ratio = zoom / crop.zoom;
    const c = view / 2;
    return clampCrop({zoom, x: c - (c - crop.x) * ratio, y: c - (c - crop.y) * ratio}, width, height, view);
}

/** The square of the original image the viewport shows: source x, y and side in image pixels. */
export function sourceSquare(crop: Crop, width: number, height: number, view: number): {sx: number; sy: number; side: number} {
    const s = coverScale(width, height, view) * crop.zoom;
    const side = Math.min(view / s, width, height);
    return {sx: Math.max(0, Math.min(width - side, -crop.x / s)), sy: Math.max(0, Math.min(height - side, -crop.y / s)), side};
}
