// The confirm dialog that replaces window.confirm(): an alertdialog that answers true only when confirmed,
// keeps the keyboard inside, and gives the focus back.
import {act, cleanup, fireEvent, render, screen} from '@testing-library/react';
import {afterEach, describe, expect, it} from 'vitest';
import {I18n} from '../i18n/I18n';
import {askConfirm, ConfirmHost} from './ConfirmDialog';

afterEach(cleanup);

function setup() {
    render(
        <I18n locale="en">
            <button type="button">before</button>
            <ConfirmHost />
        </I18n>,
    );
    const before = screen.getByRole('button', {name: 'before'});
    before.focus();
    return before;
}

async function ask(destructive = true) {
    let answer: Promise<boolean> = Promise.resolve(false);
    await act(async () => {
        answer = askConfirm({message: 'Delete this message?', confirm: 'Delete', destructive});
    });
    return {answer, dialog: screen.getByRole('alertdialog', {name: 'Delete this message?'})};
}

describe('askConfirm', () => {
    it('focuses the confirm button, styled as destructive; Enter confirms and the focus returns', async () => {
        const before = setup();
        const {answer, dialog} = await ask();
        const confirm = screen.getByRole('button', {name: 'Delete'});
        expect(document.activeElement).toBe(confirm);
        expect(confirm.className).toContain('destructive');
        expect(dialog.getAttribute('aria-modal')).toBe('true');
        await act(async () => void fireEvent.keyDown(confirm, {key: 'Enter'}));
        expect(await answer).toBe(true);
        expect(screen.queryByRole('alertdialog')).toBeNull();
        expect(document.activeElement).toBe(before);
    });
    it('answers false on Esc, on Cancel, and on a click outside', async () => {
        setup();
        let asked = await ask(false);
        expect(screen.getByRole('button', {name: 'Delete'}).className).not.toContain('destructive');
        await act(async () => void fireEvent.keyDown(asked.dialog, {key: 'Escape'}));
        expect(await asked.answer).toBe(false);
        asked = await ask();
        await act(async () => void fireEvent.click(screen.getByRole('button', {name: 'Cancel'})));
        expect(await asked.answer).toBe(false);
        asked = await ask();
        await act(async () => void fireEvent.mouseDown(asked.dialog.parentElement!));
        expect(await asked.answer).toBe(false);
    });
    it('Enter on Cancel cancels', async () => {
        setup();
        const {answer} = await ask();
        const cancel = screen.getByRole('button', {name: 'Cancel'});
        cancel.focus();
        await act(async () => void fireEvent.keyDown(cancel, {key: 'Enter'}));
        await act(async () => void fireEvent.click(cancel)); // what the browser does for Enter on a button
        expect(await answer).toBe(false);
    });
    it('a second question answers the first with false', async () => {
        setup();
        const first = await ask();
        const second = await ask();
        expect(await first.answer).toBe(false);
        await act(async () => void fireEvent.click(screen.getByRole('button', {name: 'Delete'})));
        expect(await second.answer).toBe(true);
    });
});
