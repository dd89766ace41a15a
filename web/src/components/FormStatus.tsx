/** A form's outcome: an error (announced at once) or a confirmation (announced politely). */
export function FormStatus({error, status}: {error: string; status: string}) {
    return (
        <>
            {error && (
                <p className="form-error" role="alert">
                    {error}
                </p>
            )}
            <p role="status" className="muted">
                {status}
            </p>
        </>
    );
}
